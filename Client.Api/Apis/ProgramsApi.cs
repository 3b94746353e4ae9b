using System.Security.Claims;
using Ledger.Client.Api.Auth;
using Ledger.Client.Api.Contracts;
using Ledger.Client.Api.Hosting;
using Ledger.Client.Api.State;
using Ledger.Grains.Interfaces;

namespace Ledger.Client.Api.Apis;

public static class ProgramsApi
{
    public static IEndpointRouteBuilder MapProgramsApi(this IEndpointRouteBuilder app)
    {
        var months = app.MapGroup("/programs/{programId}/months/{month}");
        months.MapPut("", SetPolicyAsync).RequireAuthorization(LedgerAuth.AdminPolicy)
            .Produces<PolicyBody>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).WithLedgerProblems();
        months.MapGet("", GetStateAsync)
            .Produces<ProgramMonthStateBody>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        months.MapGet("/ledger", GetLedgerAsync).RequireAuthorization(LedgerAuth.AdminPolicy)
            .Produces<LedgerPageBody>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).WithLedgerProblems();
        months.MapGet("/audit", AuditAsync).RequireAuthorization(LedgerAuth.AdminPolicy)
            .Produces<AuditBody>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).WithLedgerProblems();
        months.MapGet("/reconciliation", ReconcileAsync).RequireAuthorization(LedgerAuth.AdminPolicy)
            .Produces<ReconciliationBody>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).WithLedgerProblems();
        months.MapGet("/policy-history", GetPolicyHistoryAsync).RequireAuthorization(LedgerAuth.AdminPolicy)
            .Produces<PolicyHistoryBody>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).WithLedgerProblems();
        return app;
    }

    public static async Task<IResult> SetPolicyAsync(
        string programId, string month, PolicyChangeBody? body, ClaimsPrincipal user, IGrainFactory grains, ProgramMonthIndex index)
    {
        var errors = RequestChecks.ProgramMonth(programId, month, out var programMonth);
        var policy = errors.Count == 0 ? RequestChecks.Policy(body?.Policy, programMonth, errors) : null;
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var change = new PolicyChange(policy!, user.CitizenId() ?? PolicyChange.Unattributed, body!.Confirm == true);
        var result = await grains.GetCityMonth(programMonth).SetPolicyAsync(change);
        if (result.Outcome == SetPolicyOutcome.Saved)
        {
            index.Learn(programMonth);
        }

        return LedgerResults.SetPolicy(result);
    }

    public static async Task<IResult> GetPolicyHistoryAsync(string programId, string month, IGrainFactory grains, ProgramMonthIndex index)
    {
        var errors = RequestChecks.ProgramMonth(programId, month, out var programMonth);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (!await index.ExistsAsync(programMonth))
        {
            return NoPolicy(programMonth);
        }

        var city = grains.GetCityMonth(programMonth);
        var versions = await city.GetPolicyHistoryAsync();
        // A policy saved before versions were kept has none; an unknown program-month has no policy either.
        if (versions.Count == 0 && await city.GetSnapshotAsync() is null)
        {
            return NoPolicy(programMonth);
        }

        return TypedResults.Ok(new PolicyHistoryBody(versions
            .Select(v => new PolicyVersionBody(v.Version, LedgerResults.ToBody(v.Policy), v.SetBy, v.SetAt)).ToArray()));
    }

    public static async Task<IResult> GetStateAsync(
        string programId, string month, StateReads states, ProgramMonthIndex index, HttpContext context)
    {
        var errors = RequestChecks.ProgramMonth(programId, month, out var programMonth);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // The readiness probe's read must reach the grain: it asks whether the ledger answers.
        if (!PurchasePathProbe.IsProbe(context) && !await index.ExistsAsync(programMonth))
        {
            return NoPolicy(programMonth);
        }

        var snapshot = await states.ReadAsync(programMonth);
        return snapshot is null
            ? NoPolicy(programMonth)
            : TypedResults.Ok(LedgerResults.ToBody(snapshot));
    }

    /// <summary>Entries after <c>after</c> (exclusive, default 0), at most <c>limit</c> (default 100, clamped to 1..1000).</summary>
    public static async Task<IResult> GetLedgerAsync(
        string programId, string month, string? after, string? limit, IGrainFactory grains, ProgramMonthIndex index)
    {
        var errors = RequestChecks.ProgramMonth(programId, month, out var programMonth);
        var afterSequence = RequestChecks.Whole(after, "after", 0, errors);
        var pageSize = RequestChecks.Whole(limit, "limit", EntriesPageDefault, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var city = grains.GetCityMonth(programMonth);
        if (!await index.ExistsAsync(programMonth) || await city.GetSnapshotAsync() is null)
        {
            return NoPolicy(programMonth);
        }

        var page = await city.GetEntriesAsync(afterSequence, (int)Math.Clamp(pageSize, 1, LedgerPage.EntriesMax));
        return TypedResults.Ok(LedgerResults.ToBody(page));
    }

    public static async Task<IResult> AuditAsync(string programId, string month, IGrainFactory grains, ProgramMonthIndex index)
    {
        var errors = RequestChecks.ProgramMonth(programId, month, out var programMonth);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (!await index.ExistsAsync(programMonth))
        {
            return NoPolicy(programMonth);
        }

        var audit = await grains.GetCityMonth(programMonth).AuditAsync();
        return audit is null
            ? NoPolicy(programMonth)
            : TypedResults.Ok(LedgerResults.ToBody(audit));
    }

    public static async Task<IResult> ReconcileAsync(string programId, string month, IGrainFactory grains, ProgramMonthIndex index)
    {
        var errors = RequestChecks.ProgramMonth(programId, month, out var programMonth);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (!await index.ExistsAsync(programMonth))
        {
            return NoPolicy(programMonth);
        }

        var report = await grains.GetCityMonth(programMonth).ReconcileAsync();
        return report is null
            ? NoPolicy(programMonth)
            : TypedResults.Ok(LedgerResults.ToBody(report));
    }

    /// <summary>The answer about a program-month without a policy, whether the index or its grain said so.</summary>
    private static IResult NoPolicy(ProgramMonth programMonth) => LedgerResults.NotFound($"No policy is set for {programMonth}.");

    private const long EntriesPageDefault = 100;
}
