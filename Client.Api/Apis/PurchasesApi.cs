using System.Security.Claims;
using Ledger.Client.Api.Auth;
using Ledger.Client.Api.Contracts;
using Ledger.Client.Api.Hosting;
using Ledger.Client.Api.Queue;
using Ledger.Client.Api.State;
using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Client.Api.Apis;

public static class PurchasesApi
{
    public static IEndpointRouteBuilder MapPurchasesApi(this IEndpointRouteBuilder app)
    {
        var purchases = app.MapGroup("").WithTags(OpenApiContract.PurchasesTag);
        purchases.MapPost("/programs/{programId}/months/{month}/purchases", BuyAsync).RequireAuthorization()
            .WithSummary("Buy vouchers")
            .WithDescription("A citizen buys mobile vouchers for themself; a teller sells paper vouchers to the citizen named in "
                + "`citizenId`. The same Idempotency-Key with the same body gets the first answer again, rejections included.")
            .ProducesInvalid().ProducesLedgerProblem<PaymentDeclinedBody>(StatusCodes.Status402PaymentRequired)
            .ProducesNotFound().ProducesLedgerProblem<PurchaseRejectionBody>(StatusCodes.Status409Conflict)
            .ProducesLedgerProblem<CodedProblemBody>(StatusCodes.Status422UnprocessableEntity)
            .ProducesLedgerProblem<QueuedBody>(StatusCodes.Status429TooManyRequests)
            .WithBodyProblems().WithAuthProblems(forbidden: true).WithLedgerProblems()
            // The waiting room is the overload answer for purchases (WaitingRoomDesk), not the gateway's bound.
            .OutsideOverloadLimit().RequireClientShare();
        purchases.MapGet("/purchases/{purchaseId}", GetAsync).RequireAuthorization()
            .WithSummary("Read a purchase")
            .WithDescription("Its buyer or an admin; to anyone else it does not exist (404).")
            .ProducesNotFound().WithRateLimit().WithAuthProblems(forbidden: false).WithLedgerProblems()
            .RequireClientShare();
        purchases.MapPost("/purchases/{purchaseId}/cancel", CancelAsync).RequireAuthorization()
            .WithSummary("Cancel a purchase")
            .WithDescription("Within 7 days, by its buyer or an admin. Again: the same answer, nothing refunded twice. A paid "
                + "purchase's price goes back to the payer (`refund`: `pending`, then `done`).")
            .ProducesNotFound().ProducesLedgerProblem<CancelRejectionBody>(StatusCodes.Status409Conflict)
            .WithAuthProblems(forbidden: false).WithLedgerProblems();
        return app;
    }

    /// <summary>
    /// A citizen buys for themself on the mobile channel; a teller sells paper vouchers at the bank counter
    /// on behalf of the citizen named in the body.
    /// </summary>
    public static async Task<PurchaseAnswer> BuyAsync(
        string programId, string month, PurchaseRequestBody? body,
        [FromHeader(Name = RequestChecks.IdempotencyKeyHeader)] string[]? idempotencyKey,
        [FromHeader(Name = QueueTickets.Header)] string? queueTicket,
        ClaimsPrincipal user, IGrainFactory grains, SoldOutHints soldOut, WaitingRoomDesk desk, ProgramMonthIndex index,
        HttpContext context)
    {
        var errors = RequestChecks.ProgramMonth(programId, month, out var programMonth);
        var purchase = RequestChecks.Purchase(body, idempotencyKey, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (channel, amount) = purchase!.Value;
        var teller = user.IsInRole(LedgerAuth.TellerRole);
        if (channel == Channel.Paper != teller || body!.CitizenId is not null != teller)
        {
            // Paper is sold by tellers, for a named citizen; a citizen buys mobile vouchers for themself.
            return TypedResults.Problem(
                "Paper vouchers are sold by tellers on behalf of a citizen; citizens buy mobile vouchers for themselves.",
                statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", type: "urn:ledger:problem:forbidden");
        }

        var citizenId = teller ? body.CitizenId! : user.CitizenId();
        if (!CitizenIds.IsValid(citizenId))
        {
            return TypedResults.Problem("The token's subject is not a citizen id.", statusCode: StatusCodes.Status403Forbidden);
        }

        // A teller's key is the teller's: it buys once, whichever citizen it names.
        var soldBy = teller ? user.CitizenId() : null;
        if (teller && !CitizenIds.IsValid(soldBy))
        {
            return TypedResults.Problem("The token's subject is not a teller id.", statusCode: StatusCodes.Status403Forbidden);
        }

        // A teller's token says nothing of the citizen's birth year: paper opens at the policy's opensAt.
        var request = new PurchaseRequest(programMonth, citizenId, idempotencyKey![0], channel, amount, soldBy,
            teller ? null : user.BirthYear());
        // The readiness probe asks whether a purchase gets the ledger's answer: it neither queues nor asks the index.
        if (PurchasePathProbe.IsProbe(context))
        {
            return LedgerResults.Purchase(await BuyNowAsync(request, grains, soldOut), counted: false);
        }

        return await index.ExistsAsync(programMonth)
            ? await desk.BuyAsync(request, queueTicket, () => BuyNowAsync(request, grains, soldOut))
            : LedgerResults.Purchase(PurchaseResult.Of(PurchaseOutcome.NotFound));
    }

    private static async Task<PurchaseResult> BuyNowAsync(PurchaseRequest request, IGrainFactory grains, SoldOutHints soldOut)
    {
        // After a sell-out most purchases are refused: the program-month grain refuses a newcomer itself.
        var result = soldOut.IsMarked(request.ProgramMonth, request.Channel)
            ? await grains.GetCityMonth(request.ProgramMonth).RefuseAsync(request)
            : null;
        result ??= await grains.GetCitizen(request.CitizenId).PurchaseAsync(request);
        soldOut.Observe(request.ProgramMonth, request.Channel, result);
        return result;
    }

    public static async Task<Results<Ok<PurchaseBody>, ProblemHttpResult>> GetAsync(
        string purchaseId, ClaimsPrincipal user, IGrainFactory grains, ProgramMonthIndex index)
    {
        var purchase = await FindVisibleAsync(purchaseId, user, grains, index);
        return purchase is null ? LedgerResults.NotFound("No such purchase.") : TypedResults.Ok(LedgerResults.ToBody(purchase));
    }

    public static async Task<Results<Ok<PurchaseBody>, ProblemHttpResult, WithHeaders>> CancelAsync(
        string purchaseId, ClaimsPrincipal user, IGrainFactory grains, ProgramMonthIndex index)
    {
        var purchase = await FindVisibleAsync(purchaseId, user, grains, index);
        if (purchase is null)
        {
            return LedgerResults.NotFound("No such purchase.");
        }

        // The buyer's citizen grain cancels, so that what it knows of the citizen stays true.
        var citizen = grains.GetCitizen(purchase.CitizenId);
        return LedgerResults.Cancel(await citizen.CancelAsync(purchase.ProgramMonth, purchase.Sequence));
    }

    /// <summary>
    /// The purchase, if the caller may see it: its buyer or an admin. Others are told it does not exist. The id names
    /// its program-month: only one that exists is asked (an unknown sequence in it is answered by its grain).
    /// </summary>
    private static async Task<Purchase?> FindVisibleAsync(string purchaseId, ClaimsPrincipal user, IGrainFactory grains, ProgramMonthIndex index)
    {
        if (!PurchaseIds.TryParse(purchaseId, out var programMonth, out var sequence) || !await index.ExistsAsync(programMonth))
        {
            return null;
        }

        var purchase = await grains.GetCityMonth(programMonth).GetPurchaseAsync(sequence);
        return purchase is not null && (user.IsInRole(LedgerAuth.AdminRole) || purchase.CitizenId == user.CitizenId())
            ? purchase
            : null;
    }
}
