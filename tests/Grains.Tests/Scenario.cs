using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;

namespace Ledger.Grains.Tests;

/// <summary>Short ways to set up a sale and buy in it, with fresh program ids, citizens and keys.</summary>
public static class Scenario
{
    public const long Unit = 10_000;
    public const long Limit = 200_000;

    public static ProgramMonth NewProgramMonth(LedgerTestCluster ledger) =>
        new($"t{Guid.NewGuid():N}"[..24], ProgramMonth.MonthOf(ledger.Clock.GetUtcNow()));

    public static string NewCitizen() => $"c{Guid.NewGuid():N}";

    public static string NewKey() => Guid.NewGuid().ToString("N");

    /// <summary>A policy whose sale opened a minute ago: 10% off, 200,000 won a month in units of 10,000.</summary>
    public static Policy OpenPolicy(
        LedgerTestCluster ledger, long mobileCap = 1_000_000, long paperCap = 500_000, long limit = Limit) =>
        new(ledger.Clock.GetUtcNow().AddMinutes(-1), 1_000, limit, Unit, new ChannelAmounts(mobileCap, paperCap));

    public static ICityMonthGrain City(this LedgerTestCluster ledger, ProgramMonth programMonth) =>
        ledger.Grains.GetGrain<ICityMonthGrain>(programMonth.Key);

    public static async Task<ProgramMonth> OpenSaleAsync(this LedgerTestCluster ledger, Policy? policy = null)
    {
        var programMonth = NewProgramMonth(ledger);
        var result = await ledger.City(programMonth).SetPolicyAsync(policy ?? OpenPolicy(ledger));
        Assert.Equal(SetPolicyOutcome.Saved, result.Outcome);
        return programMonth;
    }

    public static PurchaseRequest Request(
        ProgramMonth programMonth, string citizen, long amount, Channel channel = Channel.Mobile, string? key = null) =>
        new(programMonth, citizen, key ?? NewKey(), channel, amount);

    public static Task<PurchaseResult> BuyAsync(this LedgerTestCluster ledger, PurchaseRequest request) =>
        ledger.Grains.GetGrain<ICitizenGrain>(request.CitizenId).PurchaseAsync(request);

    public static Task<PurchaseResult> BuyAsync(
        this LedgerTestCluster ledger, ProgramMonth programMonth, string citizen, long amount,
        Channel channel = Channel.Mobile, string? key = null) =>
        ledger.BuyAsync(Request(programMonth, citizen, amount, channel, key));

    public static async Task<CityMonthSnapshot> SnapshotAsync(this LedgerTestCluster ledger, ProgramMonth programMonth) =>
        await ledger.City(programMonth).GetSnapshotAsync() ?? throw new InvalidOperationException($"{programMonth} has no policy.");

    /// <summary>What the test database holds for <paramref name="programMonth"/>, read past the grains, for the auditor.</summary>
    public static Task<LedgerReading> ReadLedgerAsync(this LedgerTestCluster ledger, ProgramMonth programMonth, Policy policy) =>
        LedgerTables.ReadAsync(ledger.DataSource, programMonth, policy);

    /// <summary>The auditor's findings on a sale all of whose buyers were <paramref name="clients"/>.</summary>
    public static async Task<IReadOnlyList<Finding>> AuditAsync(
        this LedgerTestCluster ledger, ProgramMonth programMonth, Policy policy, IReadOnlyCollection<RetryingClient> clients) =>
        LedgerAuditor.Audit(
            await ledger.ReadLedgerAsync(programMonth, policy), clients.SelectMany(c => c.Confirmations), clients.Select(c => c.Answer).ToArray());

    /// <summary>Nothing pending: the audit (counters, held amounts, open holds) and the reconciliation agree.</summary>
    public static async Task AssertPaymentsSettledAsync(this LedgerTestCluster ledger, ProgramMonth programMonth)
    {
        await ledger.AssertAuditConsistentAsync(programMonth);
        var reconciliation = await ledger.City(programMonth).ReconcileAsync();
        Assert.Equal((true, 0L), (reconciliation!.Consistent, reconciliation.Pending));
        Assert.Equal(reconciliation.LedgerNet, reconciliation.ProviderNet);
    }

    public static async Task AssertAuditConsistentAsync(this LedgerTestCluster ledger, ProgramMonth programMonth)
    {
        var audit = await ledger.City(programMonth).AuditAsync();
        Assert.NotNull(audit);
        Assert.True(audit.Consistent, $"Audit of {programMonth} is inconsistent: {audit}");
    }
}
