using System.Globalization;

namespace Ledger.PaymentSandbox;

/// <summary>
/// The bank's side, shaped like the open-banking transfer APIs: withdraw, deposit (a refund), and the result
/// inquiry a caller makes when a transfer's answer was lost. A transfer id is used once: the same id again gets
/// the first transfer's answer (done or declined) and moves no money; with another payer, amount or kind it
/// is refused and moves nothing.
/// </summary>
public static class BankApi
{
    /// <summary>Ids a result inquiry may name at once.</summary>
    public const int InquiryItemsMax = 100;

    private const int IdLengthMax = 100;

    public static IEndpointRouteBuilder MapBankApi(this IEndpointRouteBuilder app)
    {
        var transfer = app.MapGroup("/v2.0/transfer");
        transfer.MapPost("/withdraw/fin_num", (TransferRequest request, HttpContext context, TransferRecorder recorder, FaultPlayer faults) =>
            TransferAsync(SandboxStore.Withdraw, request, context, recorder, faults));
        transfer.MapPost("/deposit/fin_num", (TransferRequest request, HttpContext context, TransferRecorder recorder, FaultPlayer faults) =>
            TransferAsync(SandboxStore.Deposit, request, context, recorder, faults));
        transfer.MapPost("/result", InquireAsync);
        return app;
    }

    private static async Task<IResult> TransferAsync(
        string kind, TransferRequest request, HttpContext context, TransferRecorder recorder, FaultPlayer faults)
    {
        if (Invalid(request) is { } invalid)
        {
            return invalid;
        }

        var amount = long.Parse(request.TranAmt!, NumberStyles.None, CultureInfo.InvariantCulture);
        // A refund is never declined; a withdrawal may be, and stays declined under its id.
        var done = kind == SandboxStore.Deposit || !faults.Declines();
        var stored = await recorder.RecordAsync(request.BankTranId!, kind, request.FintechUseNum!, amount, done);
        if (faults.LosesAnswer())
        {
            // The transfer is recorded; its answer never arrives.
            context.Abort();
            return Results.Empty;
        }

        var same = stored.Kind == kind && stored.Payer == request.FintechUseNum && stored.Amount == amount;
        return Results.Ok(same
            ? AnswerFor(request.BankTranId!, stored)
            : new TransferAnswer(BankCodes.IdUsedForAnother, "The transfer id was used for another transfer.", request.BankTranId!));
    }

    private static async Task<IResult> InquireAsync(ResultInquiry inquiry, SandboxStore store)
    {
        if (inquiry.ReqList is not { Count: > 0 and <= InquiryItemsMax } items)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]>
            {
                ["req_list"] = [$"Name 1 to {InquiryItemsMax} transfers."],
            });
        }

        if (items.Any(i => !IsId(i.OrgBankTranId)))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]>
            {
                ["req_list[].org_bank_tran_id"] = [$"A transfer id is 1 to {IdLengthMax} visible ASCII characters."],
            });
        }

        var ids = items.Select(i => i.OrgBankTranId!).ToList();
        var found = await store.FindAllAsync(ids);
        var answers = ids.Select(id => found.TryGetValue(id, out var stored)
                ? AnswerFor(id, stored)
                : new TransferAnswer(BankCodes.NoSuchTransfer, "No transfer has this id.", id))
            .ToList();
        return Results.Ok(new ResultAnswer(BankCodes.Done, answers));
    }

    private static TransferAnswer AnswerFor(string id, StoredTransfer stored)
    {
        var amount = stored.Amount.ToString(CultureInfo.InvariantCulture);
        return stored.Done
            ? new TransferAnswer(BankCodes.Done, "", id, amount, BankCodes.BankDone, "")
            : new TransferAnswer(BankCodes.RefusedByBank, "Refused by the payer's bank.", id, amount,
                BankCodes.BankInsufficientBalance, "Insufficient balance.");
    }

    private static IResult? Invalid(TransferRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (!IsId(request.BankTranId))
        {
            errors["bank_tran_id"] = [$"A transfer id is 1 to {IdLengthMax} visible ASCII characters."];
        }

        if (!IsId(request.FintechUseNum))
        {
            errors["fintech_use_num"] = [$"The payer is 1 to {IdLengthMax} visible ASCII characters."];
        }

        if (request.TranAmt is not { Length: > 0 and <= 15 } amount || !amount.All(char.IsAsciiDigit) || amount.All(c => c == '0'))
        {
            errors["tran_amt"] = ["The amount is a positive whole number of won, in digits."];
        }

        return errors.Count == 0 ? null : Results.ValidationProblem(errors);
    }

    private static bool IsId(string? id) =>
        id is { Length: > 0 and <= IdLengthMax } && id.All(c => c is > ' ' and <= '~');
}
