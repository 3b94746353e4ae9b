using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace Ledger.Grains.Payments;

/// <summary>
/// The provider over HTTP, in the shape of the Korean open-banking transfer APIs: withdraw and deposit by
/// fintech use number (here the citizen id) with the caller's <c>bank_tran_id</c>, and the transfer result
/// inquiry. Timeouts and retries come from the HTTP client factory's resilience handlers (see
/// <see cref="PaymentServices"/>): a withdrawal is never retried blindly, an inquiry or a deposit may be.
/// </summary>
public sealed class OpenBankingProvider(IHttpClientFactory clients) : IPaymentProvider
{
    /// <summary>The client for withdrawals: one attempt, with a timeout.</summary>
    public const string WithdrawClient = "payments.withdraw";

    /// <summary>The client for deposits and inquiries: safe to repeat, so retried with backoff.</summary>
    public const string RepeatableClient = "payments.repeatable";

    private const string Done = "A0000";
    private const string NoSuchTransfer = "A0001";
    private const string Refused = "A0002";
    private const string IdUsedForAnother = "A0003";

    public Task<TransferOutcome> WithdrawAsync(string transferId, string payer, long amount, CancellationToken cancellationToken) =>
        TransferAsync(WithdrawClient, "v2.0/transfer/withdraw/fin_num", transferId, payer, amount, cancellationToken);

    public Task<TransferOutcome> DepositAsync(string transferId, string payer, long amount, CancellationToken cancellationToken) =>
        TransferAsync(RepeatableClient, "v2.0/transfer/deposit/fin_num", transferId, payer, amount, cancellationToken);

    public async Task<IReadOnlyDictionary<string, TransferOutcome>> InquireAsync(
        IReadOnlyCollection<string> transferIds, CancellationToken cancellationToken)
    {
        var body = new ResultInquiry(transferIds.Select(id => new ResultInquiryItem(id)).ToArray());
        using var response = await clients.CreateClient(RepeatableClient)
            .PostAsJsonAsync("v2.0/transfer/result", body, cancellationToken);
        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync<ResultAnswer>(cancellationToken)
            ?? throw new HttpRequestException("The provider answered an inquiry with nothing.");
        if (answer.RspCode != Done || answer.ResList is null)
        {
            throw new HttpRequestException($"The provider refused an inquiry: {answer.RspCode}.");
        }

        return answer.ResList.ToDictionary(a => a.BankTranId, OutcomeOf, StringComparer.Ordinal);
    }

    private async Task<TransferOutcome> TransferAsync(
        string client, string path, string transferId, string payer, long amount, CancellationToken cancellationToken)
    {
        var request = new TransferRequest(transferId, payer, amount.ToString(CultureInfo.InvariantCulture));
        using var response = await clients.CreateClient(client).PostAsJsonAsync(path, request, cancellationToken);
        // A 4xx or 5xx is no word on the transfer: the caller inquires.
        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync<TransferAnswer>(cancellationToken)
            ?? throw new HttpRequestException("The provider answered a transfer with nothing.");
        return answer.BankTranId == transferId
            ? OutcomeOf(answer)
            : throw new HttpRequestException($"The provider answered transfer {transferId} about {answer.BankTranId}.");
    }

    private static TransferOutcome OutcomeOf(TransferAnswer answer) => answer.RspCode switch
    {
        Done => new TransferOutcome(TransferState.Done, AmountOf(answer)),
        Refused => new TransferOutcome(
            TransferState.Refused, AmountOf(answer), FirstOf(answer.BankRspMessage, answer.RspMessage, "Refused by the provider.")),
        NoSuchTransfer => new TransferOutcome(TransferState.NotFound),
        IdUsedForAnother => new TransferOutcome(TransferState.IdOfAnother, Message: answer.RspMessage),
        _ => throw new HttpRequestException($"The provider answered an unknown code {answer.RspCode}: {answer.RspMessage}"),
    };

    private static long AmountOf(TransferAnswer answer) =>
        long.TryParse(answer.TranAmt, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) ? amount : 0;

    private static string FirstOf(params string?[] messages) => messages.First(m => !string.IsNullOrWhiteSpace(m))!;

    private sealed record TransferRequest(
        [property: JsonPropertyName("bank_tran_id")] string BankTranId,
        [property: JsonPropertyName("fintech_use_num")] string FintechUseNum,
        [property: JsonPropertyName("tran_amt")] string TranAmt);

    private sealed record TransferAnswer(
        [property: JsonPropertyName("rsp_code")] string RspCode,
        [property: JsonPropertyName("rsp_message")] string? RspMessage,
        [property: JsonPropertyName("bank_tran_id")] string BankTranId,
        [property: JsonPropertyName("tran_amt")] string? TranAmt,
        [property: JsonPropertyName("bank_rsp_code")] string? BankRspCode,
        [property: JsonPropertyName("bank_rsp_message")] string? BankRspMessage);

    private sealed record ResultInquiry([property: JsonPropertyName("req_list")] IReadOnlyList<ResultInquiryItem> ReqList);

    private sealed record ResultInquiryItem([property: JsonPropertyName("org_bank_tran_id")] string OrgBankTranId);

    private sealed record ResultAnswer(
        [property: JsonPropertyName("rsp_code")] string RspCode,
        [property: JsonPropertyName("res_list")] IReadOnlyList<TransferAnswer>? ResList);
}
