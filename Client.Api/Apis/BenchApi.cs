using System.Security.Claims;
using Ledger.Client.Api.Auth;
using Ledger.Client.Api.Contracts;
using Ledger.Grains.Interfaces;
using Microsoft.AspNetCore.Mvc;

namespace Ledger.Client.Api.Apis;

/// <summary>
/// The gateway's own ceiling, for the benchmark: a purchase that goes through the same pipeline as a real
/// one (overload limit, token, body binding, the same checks and a 201 body) but calls no grain. Mapped only
/// when <c>Ledger:Bench:NoOpEndpoint</c> is true; it is not part of the API and not in the OpenAPI document.
/// </summary>
public static class BenchApi
{
    public const string NoOpSetting = "Ledger:Bench:NoOpEndpoint";

    public static IEndpointRouteBuilder MapBenchApi(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        if (configuration.GetValue<bool>(NoOpSetting))
        {
            app.MapPost("/bench/no-op/programs/{programId}/months/{month}/purchases", NoOpPurchase)
                .RequireAuthorization().ExcludeFromDescription();
        }

        return app;
    }

    public static IResult NoOpPurchase(
        string programId, string month, PurchaseRequestBody? body,
        [FromHeader(Name = RequestChecks.IdempotencyKeyHeader)] string[]? idempotencyKey, ClaimsPrincipal user)
    {
        var errors = RequestChecks.ProgramMonth(programId, month, out var programMonth);
        var purchase = RequestChecks.Purchase(body, idempotencyKey, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (channel, amount) = purchase!.Value;
        var citizenId = body!.CitizenId ?? user.CitizenId() ?? "";
        var purchaseId = PurchaseIds.Format(programMonth, 1);
        return TypedResults.Created($"/purchases/{purchaseId}", new PurchaseBody(
            purchaseId, programMonth.ProgramId, programMonth.Month, citizenId, channel.ToName(), amount, amount,
            "confirmed", DateTimeOffset.UtcNow.ToOffset(ProgramMonth.KoreaOffset), 1));
    }
}
