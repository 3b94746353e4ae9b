using System.Security.Claims;
using Ledger.Client.Api.Auth;
using Ledger.Client.Api.State;
using Ledger.Client.Api.Contracts;
using Ledger.Grains.Interfaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.Client.Api.Apis;

public static class CitizensApi
{
    public static IEndpointRouteBuilder MapCitizensApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/citizens/me/programs/{programId}/months/{month}", GetMonthAsync).RequireAuthorization()
            .WithTags(OpenApiContract.CitizensTag)
            .WithSummary("Read my month")
            .WithDescription("The caller's monthly limit, what they have used and what remains, and their purchases.")
            .ProducesInvalid().ProducesNotFound()
            .WithRateLimit().WithAuthProblems(forbidden: true).WithLedgerProblems().RequireClientShare();
        return app;
    }

    /// <summary>The caller's limit, usage and purchases in a program-month.</summary>
    public static async Task<Results<Ok<CitizenMonthBody>, ValidationProblem, ProblemHttpResult>> GetMonthAsync(
        string programId, string month, ClaimsPrincipal user, IGrainFactory grains, ProgramMonthIndex index)
    {
        var errors = RequestChecks.ProgramMonth(programId, month, out var programMonth);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var citizenId = user.CitizenId();
        if (!CitizenIds.IsValid(citizenId))
        {
            return TypedResults.Problem("The token's subject is not a citizen id.", statusCode: StatusCodes.Status403Forbidden);
        }

        // A program-month that does not exist is answered here, without activating the citizen's grain.
        var standing = await index.ExistsAsync(programMonth) ? await grains.GetCitizen(citizenId).GetMonthAsync(programMonth) : null;
        return standing is null
            ? LedgerResults.NotFound($"No policy is set for {programMonth}.")
            : TypedResults.Ok(LedgerResults.ToBody(standing));
    }
}
