using FsCheck;
using FsCheck.Fluent;
using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;
using Xunit.Abstractions;

namespace Ledger.Grains.Tests;

/// <summary>
/// Random purchases, double taps, cancels and bank faults (declines, lost answers, the bank down) against a sale
/// that takes payment, each run on a fresh program-month. Once the bank is back and nothing is pending, money
/// equals vouchers for every payer by the provider's own record: withdrawn less returned is the price of their
/// confirmed, uncancelled purchases; nobody was charged twice; each key's answer is what its purchase became; and
/// the audit and the reconciliation agree. Set LEDGER_PAYMENT_PROPERTY_SEED to replay a run.
/// </summary>
[Collection(PaymentCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
[Trait("Category", TestCategories.Slow)]
public sealed class PaymentPropertyTests(PaymentFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Cases = 6;
    private const long Unit = Scenario.Unit;

    private readonly LedgerTestCluster ledger = fixture.Ledger;
    private readonly PaymentSandboxProcess bank = fixture.Sandbox;

    public Task InitializeAsync() => bank.SetFaultsAsync(new { });

    public Task DisposeAsync() => bank.SetFaultsAsync(new { });

    [Fact]
    public void Whatever_the_bank_does_each_payer_pays_exactly_for_the_vouchers_they_keep()
    {
        var config = PropertyRuns.Config("LEDGER_PAYMENT_PROPERTY_SEED", Cases, output);
        Check.One(config, Prop.ForAll(PaymentSteps.Arbitrary, (PaymentStep[] steps) => RunAsync(steps).GetAwaiter().GetResult()));
    }

    private async Task<bool> RunAsync(PaymentStep[] steps)
    {
        await bank.SetFaultsAsync(new { });
        var sale = await ledger.OpenSaleAsync(PaymentFixture.PaidPolicy(ledger, mobileCap: 12 * Unit));
        var citizens = Enumerable.Range(0, 3).Select(_ => Scenario.NewCitizen()).ToArray();
        var requests = new Dictionary<(int, int), PurchaseRequest>();
        var purchases = new Dictionary<string, Purchase>(StringComparer.Ordinal);
        foreach (var step in steps)
        {
            switch (step)
            {
                case PaymentStep.Buy buy:
                    var request = requests.GetValueOrDefault((buy.Citizen, buy.Key))
                        ?? Scenario.Request(sale, citizens[buy.Citizen], buy.Units * Unit);
                    requests[(buy.Citizen, buy.Key)] = request;
                    if ((await ledger.BuyAsync(request)).Purchase is { } purchase)
                    {
                        purchases[purchase.PurchaseId] = purchase;
                    }

                    break;
                case PaymentStep.Cancel cancel when purchases.Count > 0:
                    var target = purchases.Values.OrderBy(p => p.Sequence).ElementAt(cancel.Pick % purchases.Count);
                    var answer = await ledger.Grains.GetGrain<ICitizenGrain>(target.CitizenId).CancelAsync(sale, target.Sequence);
                    Assert.Contains(answer.Outcome, new[] { CancelOutcome.Cancelled, CancelOutcome.PaymentPending, CancelOutcome.Voided });
                    break;
                case PaymentStep.Bank faults:
                    await bank.SetFaultsAsync(new { declineRate = faults.DeclineRate, lostAnswerRate = faults.LostAnswerRate, down = faults.Down });
                    break;
            }
        }

        await bank.SetFaultsAsync(new { });
        await AssertMoneyEqualsVouchersAsync(sale, citizens, requests.Values);
        return true;
    }

    private async Task AssertMoneyEqualsVouchersAsync(ProgramMonth sale, string[] citizens, IEnumerable<PurchaseRequest> requests)
    {
        // Nothing pending: every hold ended and every refund owed was delivered.
        var reconciliation = await Eventually.UntilAsync(() => ledger.City(sale).ReconcileAsync(), r => r!.Pending == 0);
        Assert.True(reconciliation!.Consistent, $"Reconciliation: {reconciliation}");
        await ledger.AssertAuditConsistentAsync(sale);
        foreach (var citizen in citizens)
        {
            var history = (await ledger.Store.ReadCitizenHistoryAsync(sale, citizen)).PurchasesByKey.Values;
            var money = await bank.PayerAsync(citizen);
            var kept = history.Where(p => p.Status == PurchaseStatus.Confirmed).Sum(p => p.Price);
            var posted = history.Where(p => p.Status is PurchaseStatus.Confirmed or PurchaseStatus.Cancelled).Sum(p => p.Price);
            var returned = history.Where(p => p.Status == PurchaseStatus.Cancelled).Sum(p => p.Price);
            Assert.True(money.Net == kept, $"{citizen} paid {money} for vouchers of {kept} won: {string.Join(", ", history)}");
            // Each withdrawal once: the bank took exactly the prices of the holds it was asked for and that posted.
            Assert.True(money == new PayerMoney(posted, returned), $"{citizen}: the bank has {money}, the ledger {posted} posted and {returned} returned.");
        }

        // Each key's answer again is what its purchase became.
        foreach (var request in requests)
        {
            var again = await ledger.BuyAsync(request);
            var expected = again.Purchase?.Status switch
            {
                PurchaseStatus.Confirmed or PurchaseStatus.Cancelled => PurchaseOutcome.Confirmed,
                PurchaseStatus.Voided => PurchaseOutcome.PaymentDeclined,
                _ => again.Outcome,
            };
            Assert.NotEqual(PurchaseOutcome.Pending, again.Outcome);
            Assert.Equal(expected, again.Outcome);
        }
    }
}

/// <summary>One step of a payment run: small ids, so that citizens and keys meet often.</summary>
public abstract record PaymentStep
{
    public sealed record Buy(int Citizen, int Key, int Units) : PaymentStep;

    /// <summary>Cancels the n-th purchase seen (modulo how many there are); a pending or voided one is refused.</summary>
    public sealed record Cancel(int Pick) : PaymentStep;

    /// <summary>The bank's faults from here on.</summary>
    public sealed record Bank(double DeclineRate, double LostAnswerRate, bool Down) : PaymentStep;
}

internal static class PaymentSteps
{
    public static Arbitrary<PaymentStep[]> Arbitrary { get; } = Arb.From(
        Gen.ArrayOf(StepGen).Select(steps => steps.Take(12).ToArray()), PropertyRuns.WithoutOneStep);

    private static Gen<PaymentStep> StepGen => Gen.Frequency(
        (8, from citizen in Gen.Choose(0, 2) from key in Gen.Choose(0, 2) from units in Gen.Choose(1, 5)
            select (PaymentStep)new PaymentStep.Buy(citizen, key, units)),
        (2, Gen.Choose(0, 10).Select(p => (PaymentStep)new PaymentStep.Cancel(p))),
        (3, from decline in Gen.Elements(0.0, 0.0, 0.5, 1.0) from lost in Gen.Elements(0.0, 0.5, 1.0) from down in Gen.Elements(false, false, true)
            select (PaymentStep)new PaymentStep.Bank(decline, lost, down)));
}
