using FsCheck;
using FsCheck.Fluent;
using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Ledger.Grains.Tests;

/// <summary>
/// Random sequences of purchases, retries, double taps, bursts, cancellations and forgetful citizen grains,
/// each against a fresh program-month of the shared cluster. Requests made one at a time must get exactly
/// the answer <see cref="LedgerModel"/> computes from the rules; concurrent ones must get an answer some
/// order allows. After every step the real counters, ledger and citizens must agree with the model, and
/// <see cref="LedgerAuditor"/> must find every invariant held. Set LEDGER_PROPERTY_SEED to replay a run (its seed is in the test output).
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class LedgerPropertyTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private const long MobileCap = 100_000;
    private const long PaperCap = 50_000;
    private const long Limit = 50_000;
    private const int Cases = 25;

    private readonly LedgerTestCluster ledger = fixture.Ledger;
    private readonly SortedDictionary<string, int> seen = new(StringComparer.Ordinal);

    [Fact]
    public void Random_purchases_retries_and_cancellations_keep_every_invariant()
    {
        var config = PropertyRuns.Config("LEDGER_PROPERTY_SEED", Cases, output);

        try
        {
            Check.One(config, Prop.ForAll(LedgerCases.Arbitrary, (LedgerCase @case) => RunAsync(@case).GetAwaiter().GetResult()));
        }
        finally
        {
            output.WriteLine("Answers seen: " + string.Join(", ", seen.Select(s => $"{s.Key} {s.Value}")));
        }
    }

    // The cases below are counterexamples the property found, shrunk and kept as plain examples.

    [Fact]
    public async Task Retry_after_a_cancellation_shows_the_purchase_cancelled_whether_or_not_the_citizen_grain_remembers_it()
    {
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, MobileCap, PaperCap, Limit));
        var citizen = Scenario.NewCitizen();
        var request = Scenario.Request(sale, citizen, 30_000, Channel.Paper);
        var bought = (await ledger.BuyAsync(request)).Purchase!;
        var grain = ledger.Grains.GetGrain<ICitizenGrain>(citizen);
        Assert.Equal(CancelOutcome.Cancelled, (await grain.CancelAsync(sale, bought.Sequence)).Outcome);

        var remembered = await ledger.BuyAsync(request);
        await ledger.Cluster.DeactivateAsync(grain);
        var forgotten = await ledger.BuyAsync(request);

        var cancelled = bought with { Status = PurchaseStatus.Cancelled };
        Assert.Equal(
            new (PurchaseOutcome, Purchase?)[] { (PurchaseOutcome.Confirmed, cancelled), (PurchaseOutcome.Confirmed, cancelled) },
            new[] { (remembered.Outcome, remembered.Purchase), (forgotten.Outcome, forgotten.Purchase) });
    }

    [Fact]
    public async Task Retry_of_a_confirmed_purchase_returns_it_even_after_the_citizen_grain_forgot_it_and_the_sale_moved_on()
    {
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, MobileCap, PaperCap, Limit));
        var citizen = Scenario.NewCitizen();
        var grain = ledger.Grains.GetGrain<ICitizenGrain>(citizen);
        var request = Scenario.Request(sale, citizen, 50_000);
        var bought = (await ledger.BuyAsync(request)).Purchase!;
        Assert.True((await ledger.BuyAsync(sale, Scenario.NewCitizen(), 50_000)).IsConfirmed);

        await ledger.Cluster.DeactivateAsync(grain);
        var soldOut = await ledger.BuyAsync(request);
        await ledger.Cluster.DeactivateAsync(grain);
        Assert.Equal(PurchaseOutcome.LimitExceeded, (await ledger.BuyAsync(sale, citizen, 10_000, Channel.Paper)).Outcome);
        var atLimit = await ledger.BuyAsync(request);
        await ledger.Cluster.DeactivateAsync(grain);
        var otherAmount = await ledger.BuyAsync(request with { Amount = 0 });

        Assert.Equal(
            new (PurchaseOutcome, Purchase?)[]
            {
                (PurchaseOutcome.Confirmed, bought), (PurchaseOutcome.Confirmed, bought), (PurchaseOutcome.IdempotencyConflict, null),
            },
            new[] { (soldOut.Outcome, soldOut.Purchase), (atLimit.Outcome, atLimit.Purchase), (otherAmount.Outcome, otherAmount.Purchase) });
        Assert.Equal(100_000, (await ledger.SnapshotAsync(sale)).Mobile.Sold);
    }

    [Fact]
    public async Task Citizen_grain_that_forgot_the_usage_still_answers_limit_first_with_the_real_remaining_limit()
    {
        var sale = await ledger.OpenSaleAsync(Scenario.OpenPolicy(ledger, MobileCap, PaperCap, Limit));
        var citizen = Scenario.NewCitizen();
        var grain = ledger.Grains.GetGrain<ICitizenGrain>(citizen);
        Assert.True((await ledger.BuyAsync(sale, citizen, 10_000, Channel.Paper)).IsConfirmed);
        await ledger.Cluster.DeactivateAsync(grain);

        var over = await ledger.BuyAsync(sale, citizen, 60_000, Channel.Paper);
        Assert.True((await ledger.BuyAsync(sale, citizen, 40_000)).IsConfirmed);
        Assert.True((await ledger.BuyAsync(sale, Scenario.NewCitizen(), 50_000)).IsConfirmed);
        Assert.True((await ledger.BuyAsync(sale, Scenario.NewCitizen(), 10_000)).IsConfirmed);
        await ledger.Cluster.DeactivateAsync(grain);
        var both = await ledger.BuyAsync(sale, citizen, 10_000);

        Assert.Equal(
            new[] { (PurchaseOutcome.LimitExceeded, (long?)40_000), (PurchaseOutcome.LimitExceeded, 0) },
            new[] { (over.Outcome, over.Remaining), (both.Outcome, both.Remaining) });
    }

    private async Task RunAsync(LedgerCase @case)
    {
        var policy = Scenario.OpenPolicy(ledger, MobileCap, PaperCap, Limit);
        var sale = await ledger.OpenSaleAsync(policy);
        var run = new CaseRun(
            new LedgerModel(sale, policy, ledger.Clock.GetUtcNow()),
            Enumerable.Range(0, LedgerCases.Citizens).Select(_ => Scenario.NewCitizen()).ToArray());
        for (var step = 0; step < @case.Operations.Count; step++)
        {
            var operation = @case.Operations[step];
            try
            {
                await RunStepAsync(run, operation);
                await CheckInvariantsAsync(run);
            }
            catch (Exception e)
            {
                throw new XunitException(
                    $"Step {step + 1} {operation} of {sale} failed (citizens {string.Join(", ", run.Citizens)}): {e.Message}", e);
            }
        }

        await CheckCitizenGrainsAsync(run);
    }

    private async Task RunStepAsync(CaseRun run, LedgerOperation operation)
    {
        var model = run.Model;
        switch (operation)
        {
            case LedgerOperation.Buy buy:
                await PurchaseAloneAsync(run, run.Request(buy, $"k{buy.Key}"));
                break;

            case LedgerOperation.Retry retry when run.Requests.Count > 0:
                var first = run.Requests[retry.Pick % run.Requests.Count];
                await PurchaseAloneAsync(run, retry.Kind switch
                {
                    RetryKind.Same => first,
                    RetryKind.OtherAmount => first with { Amount = OtherAmount(first.Amount, retry.Pick) },
                    _ => first with { Channel = first.Channel == Channel.Mobile ? Channel.Paper : Channel.Mobile },
                });
                break;

            case LedgerOperation.Cancel cancel:
                await CancelAsync(run, cancel);
                break;

            case LedgerOperation.DoubleTap tap:
                var request = run.Request(tap.Request, $"k{tap.Request.Key}");
                var expected = model.Purchase(request);
                var answers = await Task.WhenAll(ledger.BuyAsync(request), ledger.BuyAsync(request));
                AssertAnswer(expected, answers[0], request);
                AssertAnswer(expected, answers[1], request);
                break;

            case LedgerOperation.Burst burst:
                var requests = burst.Requests.Select(b => run.Request(b, $"b{run.NextBurstKey++}")).ToArray();
                var results = await Task.WhenAll(requests.Select(ledger.BuyAsync));
                for (var i = 0; i < requests.Length; i++)
                {
                    Count($"burst {results[i].Outcome}");
                    Assert.Empty(model.Absorb(requests[i], results[i]));
                }

                break;

            case LedgerOperation.Forget forget:
                await ledger.Cluster.DeactivateAsync(ledger.Grains.GetGrain<ICitizenGrain>(run.Citizens[forget.Citizen]));
                model.Forget(run.Citizens[forget.Citizen]);
                break;
        }
    }

    private async Task PurchaseAloneAsync(CaseRun run, PurchaseRequest request)
    {
        var expected = run.Model.Purchase(request);
        var actual = await ledger.BuyAsync(request);
        AssertAnswer(expected, actual, request);
    }

    private void Count(string answer) => seen[answer] = seen.GetValueOrDefault(answer) + 1;

    private async Task CancelAsync(CaseRun run, LedgerOperation.Cancel cancel)
    {
        var model = run.Model;
        var purchases = model.Purchases;
        string canceller;
        long sequence;
        if (cancel.Target == CancelTarget.AnySequence)
        {
            canceller = run.Citizens[0];
            sequence = 1 + (cancel.Pick % model.NextSequence);
        }
        else if (purchases.Count > 0)
        {
            var purchase = purchases[cancel.Pick % purchases.Count];
            sequence = purchase.Sequence;
            canceller = cancel.Target == CancelTarget.Owner
                ? purchase.CitizenId
                : run.Citizens[(Array.IndexOf(run.Citizens, purchase.CitizenId) + 1) % run.Citizens.Length];
        }
        else
        {
            return;
        }

        var expected = model.Cancel(canceller, sequence);
        var actual = await ledger.Grains.GetGrain<ICitizenGrain>(canceller).CancelAsync(model.ProgramMonth, sequence);
        Assert.Equal((expected.Outcome, expected.Purchase), (actual.Outcome, actual.Purchase));
        Count($"cancel {actual.Outcome}");
    }

    private void AssertAnswer(PurchaseResult expected, PurchaseResult actual, PurchaseRequest request)
    {
        static object Essentials(PurchaseResult r) => (r.Outcome, r.Purchase,
            Remaining: r.Outcome is PurchaseOutcome.LimitExceeded or PurchaseOutcome.SoldOut ? r.Remaining : null);
        if (!Equals(Essentials(expected), Essentials(actual)))
        {
            throw new XunitException(
                $"{request} answered{Environment.NewLine}  {Essentials(actual)}{Environment.NewLine}" +
                $"but the rules say{Environment.NewLine}  {Essentials(expected)}");
        }

        Count($"{actual.Outcome}{(actual.Purchase?.Status == PurchaseStatus.Cancelled ? " (cancelled)" : "")}");
    }

    /// <summary>
    /// Sold within the cap and equal to the model, the ledger gapless and as the model has it, the audit consistent,
    /// every citizen within the limit, and the auditor content with the ledger and every confirmation given.
    /// </summary>
    private async Task CheckInvariantsAsync(CaseRun run)
    {
        var model = run.Model;
        var city = ledger.City(model.ProgramMonth);
        var snapshot = await ledger.SnapshotAsync(model.ProgramMonth);
        foreach (var channel in Enum.GetValues<Channel>())
        {
            var state = channel == Channel.Mobile ? snapshot.Mobile : snapshot.Paper;
            Assert.InRange(state.Sold, 0, state.Cap);
            Assert.Equal(model.Sold[channel], state.Sold);
            Assert.Equal(state.Cap - state.Sold, state.Remaining);
        }

        Assert.Equal(model.NextSequence - 1, snapshot.Entries);

        var audit = await city.AuditAsync();
        Assert.NotNull(audit);
        Assert.True(audit.Consistent, $"The audit is inconsistent: {audit}");
        Assert.Equal(model.NextSequence - 1, audit.Entries);

        var page = await city.GetEntriesAsync(0, LedgerPage.EntriesMax);
        Assert.Null(page.Next);
        Assert.Equal(Enumerable.Range(1, page.Entries.Count).Select(i => (long)i), page.Entries.Select(e => e.Sequence));
        Assert.Equal(
            model.Entries.Select(e => (e.Sequence, e.Kind, PurchaseIds.Format(model.ProgramMonth, e.PurchaseSequence),
                e.CitizenId, e.Channel, e.Amount, e.Price)),
            page.Entries.Select(e => (e.Sequence, e.Kind, e.PurchaseId, e.CitizenId, e.Channel, e.Amount, e.Price)));
        Assert.Empty(LedgerAuditor.Audit(await ledger.ReadLedgerAsync(model.ProgramMonth, model.Policy), model.Confirmations));

        foreach (var citizen in run.Citizens)
        {
            var history = await ledger.Store.ReadCitizenHistoryAsync(model.ProgramMonth, citizen);
            Assert.InRange(history.Used, 0, Limit);
            Assert.Equal(model.UsedBy(citizen), history.Used);
            Assert.Equal(
                model.Purchases.Where(p => p.CitizenId == citizen).Select(model.ToPurchase),
                history.PurchasesByKey.Values.OrderBy(p => p.Sequence));
        }
    }

    /// <summary>What each citizen grain reports at the end: the limit, the usage and the purchases as they stand.</summary>
    private async Task CheckCitizenGrainsAsync(CaseRun run)
    {
        var model = run.Model;
        foreach (var citizen in run.Citizens)
        {
            var month = await ledger.Grains.GetGrain<ICitizenGrain>(citizen).GetMonthAsync(model.ProgramMonth);
            Assert.NotNull(month);
            var used = model.UsedBy(citizen);
            Assert.Equal((Limit, used, Limit - used), (month.Limit, month.Used, month.Remaining));
            Assert.Equal(model.Purchases.Where(p => p.CitizenId == citizen).Select(model.ToPurchase), month.Purchases);
        }
    }

    /// <summary>Another of the generated amounts, picked by <paramref name="pick"/>.</summary>
    private static long OtherAmount(long amount, int pick)
    {
        var others = LedgerCases.Amounts.Where(a => a != amount).ToArray();
        return others[pick % others.Length];
    }

    /// <summary>One case as it runs: the model, the citizens behind the indexes and every request made so far.</summary>
    private sealed class CaseRun(LedgerModel model, string[] citizens)
    {
        public LedgerModel Model { get; } = model;

        public string[] Citizens { get; } = citizens;

        public List<PurchaseRequest> Requests { get; } = [];

        public int NextBurstKey { get; set; }

        public PurchaseRequest Request(LedgerOperation.Buy buy, string key)
        {
            var request = new PurchaseRequest(Model.ProgramMonth, Citizens[buy.Citizen], key, buy.Channel, buy.Amount);
            Requests.Add(request);
            return request;
        }
    }
}
