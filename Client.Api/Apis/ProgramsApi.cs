using System.Security.Claims;
using Ledger.Client.Api.Auth;
using Ledger.Client.Api.Contracts;
using Ledger.Client.Api.Hosting;
using Ledger.Client.Api.State;
using Ledger.Grains.Interfaces;
using Ledger.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.Client.Api.Apis;

public static class ProgramsApi
{
    public static IEndpointRouteBuilder MapProgramsApi(this IEndpointRouteBuilder app)
    {
        var months = app.MapGroup("/programs/{programId}/months/{month}").WithTags(OpenApiContract.ProgramsTag);
        months.MapPut("", SetPolicyAsync).RequireAuthorization(LedgerAuth.AdminPolicy)
            .WithSummary("Set a program-month's policy")
            .WithDescription("Creates or changes the sale: its opening, discount, monthly limit, unit and caps, and optionally "
                + "cohorts, a pre-queue and payment. A change the guard would refuse (every cap zero, or a cap cut by more than "
                + "half near or during the sale) needs `\"confirm\":true`. Admins only.")
            .ProducesInvalid().ProducesLedgerProblem<PolicyRejectionBody>(StatusCodes.Status409Conflict)
            .WithBodyProblems().WithAuthProblems(forbidden: true).WithLedgerProblems();
        months.MapGet("", GetStateAsync)
            .WithSummary("Read a sale's live state")
            .WithDescription("The policy, the sale's status and each channel's cap, sold and remaining amounts. No token needed.")
            .ProducesInvalid().ProducesNotFound().WithRateLimit().WithLedgerProblems()
            .RequireClientShare();
        months.MapGet("/ledger", GetLedgerAsync).RequireAuthorization(LedgerAuth.AdminPolicy)
            .WithSummary("Page through the ledger")
            .WithDescription("Entries in sequence order after `after`, at most `limit` of them; `next` is the `after` of the next "
                + "page, null at the end. Admins only.")
            .ProducesInvalid().ProducesNotFound().WithAuthProblems(forbidden: true).WithLedgerProblems();
        months.MapGet("/audit", AuditAsync).RequireAuthorization(LedgerAuth.AdminPolicy)
            .WithSummary("Audit the ledger")
            .WithDescription("Recomputes every channel's sold amount and every citizen's usage from the ledger and compares them "
                + "with the counters. Admins only.")
            .ProducesInvalid().ProducesNotFound().WithAuthProblems(forbidden: true).WithLedgerProblems();
        months.MapGet("/reconciliation", ReconcileAsync).RequireAuthorization(LedgerAuth.AdminPolicy)
            .WithSummary("Reconcile with the payment provider")
            .WithDescription("The ledger's net takings against the provider's record, purchase by purchase. Admins only.")
            .ProducesInvalid().ProducesNotFound().WithAuthProblems(forbidden: true).WithLedgerProblems();
        months.MapGet("/policy-history", GetPolicyHistoryAsync).RequireAuthorization(LedgerAuth.AdminPolicy)
            .WithSummary("List the policy's versions")
            .WithDescription("Every saved version of the policy, oldest first, with who set it and when. Admins only.")
            .ProducesInvalid().ProducesNotFound().WithAuthProblems(forbidden: true).WithLedgerProblems();
        return app;
    }

    public static async Task<Results<Ok<PolicyBody>, ValidationProblem, ProblemHttpResult, WithHeaders>> SetPolicyAsync(
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

    public static async Task<Results<Ok<PolicyHistoryBody>, ValidationProblem, ProblemHttpResult>> GetPolicyHistoryAsync(
        string programId, string month, IGrainFactory grains, ProgramMonthIndex index)
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

    public static async Task<Results<Ok<ProgramMonthStateBody>, ValidationProblem, ProblemHttpResult>> GetStateAsync(
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
    public static async Task<Results<Ok<LedgerPageBody>, ValidationProblem, ProblemHttpResult>> GetLedgerAsync(
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

    public static async Task<Results<Ok<AuditBody>, ValidationProblem, ProblemHttpResult>> AuditAsync(
        string programId, string month, IGrainFactory grains, ProgramMonthIndex index)
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

    public static async Task<Results<Ok<ReconciliationBody>, ValidationProblem, ProblemHttpResult>> ReconcileAsync(
        string programId, string month, IGrainFactory grains, ProgramMonthIndex index)
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
    private static ProblemHttpResult NoPolicy(ProgramMonth programMonth) => LedgerResults.NotFound($"No policy is set for {programMonth}.");

    private const long EntriesPageDefault = 100;
}
