using Ledger.Client.Api.Auth;
using Ledger.Client.Api.Contracts;
using Ledger.Grains.Interfaces;

namespace Ledger.Client.Api.Apis;

public static class ProgramsApi
{
    public static IEndpointRouteBuilder MapProgramsApi(this IEndpointRouteBuilder app)
    {
        var months = app.MapGroup("/programs/{programId}/months/{month}");
        months.MapPut("", SetPolicyAsync).RequireAuthorization(LedgerAuth.AdminPolicy);
        months.MapGet("", GetStateAsync);
        return app;
    }

    public static async Task<IResult> SetPolicyAsync(string programId, string month, PolicyBody? body, IGrainFactory grains)
    {
        var errors = RequestChecks.ProgramMonth(programId, month, out var programMonth);
        var policy = RequestChecks.Policy(body, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return LedgerResults.SetPolicy(await grains.GetGrain<ICityMonthGrain>(programMonth.Key).SetPolicyAsync(policy!));
    }

    public static async Task<IResult> GetStateAsync(string programId, string month, IGrainFactory grains)
    {
        var errors = RequestChecks.ProgramMonth(programId, month, out var programMonth);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var snapshot = await grains.GetGrain<ICityMonthGrain>(programMonth.Key).GetSnapshotAsync();
        return snapshot is null
            ? LedgerResults.NotFound($"No policy is set for {programMonth}.")
            : TypedResults.Ok(LedgerResults.ToBody(snapshot));
    }
}
