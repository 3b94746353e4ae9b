using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;

namespace Ledger.Grains.Tests;

/// <summary>
/// A two-silo cluster whose silos take payment from the payment sandbox, run as its own process. Buyers wait
/// <see cref="AnswerWithin"/> for the provider; silos sweep for unresolved holds and owed refunds every second.
/// </summary>
public sealed class PaymentFixture : IAsyncLifetime
{
    public static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(1);

    private LedgerTestCluster? ledger;
    private PaymentSandboxProcess? sandbox;

    public LedgerTestCluster Ledger => ledger ?? throw new InvalidOperationException("The cluster did not start.");

    public PaymentSandboxProcess Sandbox => sandbox ?? throw new InvalidOperationException("The sandbox did not start.");

    /// <summary>The silos' payment settings for a sandbox at <paramref name="baseAddress"/>.</summary>
    public static Dictionary<string, string> Settings(Uri baseAddress) => new()
    {
        ["Ledger:Payments:BaseUrl"] = baseAddress.ToString(),
        ["Ledger:Payments:AnswerWithinSeconds"] = AnswerWithin.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Ledger:Payments:AttemptTimeoutSeconds"] = "3",
        ["Ledger:Payments:SweepSeconds"] = "1",
    };

    /// <summary>A policy that takes payment, open a minute ago, with holds of <paramref name="holdSeconds"/>.</summary>
    public static Policy PaidPolicy(LedgerTestCluster ledger, long mobileCap = 1_000_000, int holdSeconds = 600) =>
        Scenario.OpenPolicy(ledger, mobileCap) with { Payment = PaymentMethod.Account, HoldSeconds = holdSeconds };

    public async Task InitializeAsync()
    {
        await TestDatabase.EnsureSchemaAsync();
        sandbox = await PaymentSandboxProcess.StartAsync(TestDatabase.ConnectionString);
        ledger = await LedgerTestCluster.StartAsync("payments", settings: Settings(sandbox.BaseAddress));
    }

    public async Task DisposeAsync()
    {
        if (ledger is not null)
        {
            await ledger.DisposeAsync();
        }

        if (sandbox is not null)
        {
            await sandbox.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PaymentCollection : ICollectionFixture<PaymentFixture>
{
    public const string Name = "payments";
}
