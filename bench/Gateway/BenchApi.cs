using System.Security.Claims;
using Ledger.Bench.Probes;
using Ledger.Client.Api.Apis;
using Ledger.Client.Api.Auth;
using Ledger.Client.Api.Contracts;
using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Bench.Gateway;

/// <summary>
/// The gateway's own ceilings, for the benchmark, mapped by the bench gateway (<see cref="BenchGateway"/>) only; they
/// are not part of the API and not in the OpenAPI document. Each takes a purchase through the same pipeline
/// as a real one (token, body binding, the same checks and a 201 body; like purchases, not the overload limit,
/// whose place the waiting room takes) and buys nothing:
/// <c>/bench/no-op/...</c> calls no grain; <c>/bench/grain-hops/...</c> makes the purchase path's two grain
/// calls, to a probe grain per citizen that calls one per program-month, neither doing any work.
/// </summary>
public static class BenchApi
{
    public static IEndpointRouteBuilder MapBenchApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/bench/no-op/programs/{programId}/months/{month}/purchases", NoOpPurchase)
            .RequireAuthorization().ExcludeFromDescription().DisableRateLimiting();
        app.MapPost("/bench/grain-hops/programs/{programId}/months/{month}/purchases", GrainHopsPurchase)
            .RequireAuthorization().ExcludeFromDescription().DisableRateLimiting();
        return app;
    }

    public static IResult NoOpPurchase(
        string programId, string month, PurchaseRequestBody? body,
        [FromHeader(Name = RequestChecks.IdempotencyKeyHeader)] string[]? idempotencyKey, ClaimsPrincipal user) =>
        Checked(programId, month, body, idempotencyKey, user, out var purchase) ?? Created(purchase);

    public static async Task<IResult> GrainHopsPurchase(
        string programId, string month, PurchaseRequestBody? body,
        [FromHeader(Name = RequestChecks.IdempotencyKeyHeader)] string[]? idempotencyKey, ClaimsPrincipal user,
        IGrainFactory grains)
    {
        if (Checked(programId, month, body, idempotencyKey, user, out var purchase) is { } refused)
        {
            return refused;
        }

        if (purchase.CitizenId.Length == 0)
        {
            return TypedResults.Forbid();
        }

        await grains.GetBenchProbe(purchase.CitizenId).TouchAsync(purchase.ProgramMonth.Key);
        return Created(purchase);
    }

    /// <summary>The purchase's checks: a validation problem, or null with the purchase they accepted.</summary>
    private static IResult? Checked(
        string programId, string month, PurchaseRequestBody? body, string[]? idempotencyKey, ClaimsPrincipal user,
        out CheckedPurchase purchase)
    {
        var errors = RequestChecks.ProgramMonth(programId, month, out var programMonth);
        var checkedBody = RequestChecks.Purchase(body, idempotencyKey, errors);
        if (errors.Count > 0)
        {
            purchase = default;
            return TypedResults.ValidationProblem(errors);
        }

        var (channel, amount) = checkedBody!.Value;
        purchase = new CheckedPurchase(programMonth, channel, amount, body!.CitizenId ?? user.CitizenId() ?? "");
        return null;
    }

    private static IResult Created(CheckedPurchase purchase)
    {
        var purchaseId = PurchaseIds.Format(purchase.ProgramMonth, 1);
        return TypedResults.Created($"/purchases/{purchaseId}", new PurchaseBody(
            purchaseId, purchase.ProgramMonth.ProgramId, purchase.ProgramMonth.Month, purchase.CitizenId,
            purchase.Channel.ToName(), purchase.Amount, purchase.Amount, "confirmed",
            DateTimeOffset.UtcNow.ToOffset(ProgramMonth.KoreaOffset), 1));
    }

    private readonly record struct CheckedPurchase(ProgramMonth ProgramMonth, Channel Channel, long Amount, string CitizenId);
}
