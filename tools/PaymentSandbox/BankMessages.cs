using System.Text.Json.Serialization;

namespace Ledger.PaymentSandbox;

/// <summary>
/// A withdrawal (from the payer's account to the merchant) or a deposit (back to the payer), in the shape of a
/// Korean open-banking transfer: the caller's own transfer id (<c>bank_tran_id</c>), the payer's fintech use
/// number (here the citizen id) and the amount in won, as digits.
/// </summary>
public sealed record TransferRequest(
    [property: JsonPropertyName("bank_tran_id")] string? BankTranId,
    [property: JsonPropertyName("fintech_use_num")] string? FintechUseNum,
    [property: JsonPropertyName("tran_amt")] string? TranAmt);

/// <summary>
/// The provider's answer. <c>rsp_code</c> <c>A0000</c> with <c>bank_rsp_code</c> <c>000</c> means done; the
/// other codes are listed in <see cref="BankCodes"/>.
/// </summary>
public sealed record TransferAnswer(
    [property: JsonPropertyName("rsp_code")] string RspCode,
    [property: JsonPropertyName("rsp_message")] string RspMessage,
    [property: JsonPropertyName("bank_tran_id")] string BankTranId,
    [property: JsonPropertyName("tran_amt")] string? TranAmt = null,
    [property: JsonPropertyName("bank_rsp_code")] string? BankRspCode = null,
    [property: JsonPropertyName("bank_rsp_message")] string? BankRspMessage = null);

/// <summary>An inquiry of transfers' results by their ids (the open-banking "transfer result" API).</summary>
public sealed record ResultInquiry([property: JsonPropertyName("req_list")] IReadOnlyList<ResultInquiryItem>? ReqList);

public sealed record ResultInquiryItem([property: JsonPropertyName("org_bank_tran_id")] string? OrgBankTranId);

public sealed record ResultAnswer(
    [property: JsonPropertyName("rsp_code")] string RspCode,
    [property: JsonPropertyName("res_list")] IReadOnlyList<TransferAnswer> ResList);
