using System.Collections.Concurrent;
using System.Diagnostics;
using Ledger.Grains.Interfaces;
using Ledger.Sale;
using Ledger.Testing;
using Orleans.Runtime;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Ledger.Grains.Tests;

/// <summary>
/// A silo dies under load: what was confirmed stays confirmed, nothing is sold twice or past the cap, and
/// clients that retry with their idempotency key get the first answer. Each test gets its own cluster of
/// three silos, so it can kill one.
/// </summary>
/// <remarks>
/// The program-month grain is kept off the primary silo, which hosts the test cluster's membership: a sale
/// is opened on fresh program-months until placement puts its grain on a secondary (placement is Orleans'
/// to choose and the product's grains carry no placement attribute a test could steer, so this asks where
/// it went rather than forcing it).
/// </remarks>
[Trait("Category", TestCategories.Failover)]
public sealed class SiloFailureTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long Amount = 10_000;

    /// <summary>
    /// Fresh program-months tried before giving up on getting one off the primary silo. Orleans' default
    /// placement weighs the silos' load and favours the silo the call comes through, so on a busy machine a
    /// run of 30 all landed on the primary once.
    /// </summary>
    private const int PlacementAttemptsMax = 200;

    /// <summary>How long clients keep retrying before a request counts as never answered.</summary>
    private static readonly TimeSpan RetryDeadline = TimeSpan.FromSeconds(35);

    /// <summary>The longest a test waits for an event it set up (enough confirmations, a grain placed).</summary>
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(20);

    private LedgerTestCluster ledger = null!;

    public async Task InitializeAsync() =>
        ledger = await LedgerTestCluster.StartAsync("silo-failure", silos: 3, responseTimeout: TimeSpan.FromSeconds(5));

    public async Task DisposeAsync() => await ledger.DisposeAsync();

    [Fact]
    public async Task Silo_killed_mid_purchase_loses_no_confirmed_purchase_and_oversells_nothing()
    {
        const int citizens = 1_500;
        const long cap = 5_000_000;
        const int confirmationsBeforeKill = 100;
        // Clients in flight at once: enough to keep batches full, few enough that the sale is still
        // selling when the silo dies (the rest of the 1,500 are waiting to try).
        const int clientsInFlightMax = 64;
        var policy = Scenario.OpenPolicy(ledger, mobileCap: cap, paperCap: 0);
        var (sale, city, citySilo) = await OpenSaleOffThePrimaryAsync(policy);
        var epochBefore = (await ledger.Store.ReadHeadAsync(sale))!.Epoch;

        var confirmed = 0;
        var enoughConfirmed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new SemaphoreSlim(clientsInFlightMax);
        var clock = Stopwatch.StartNew();
        var killedAt = long.MaxValue;
        var firstAnswerAfterKill = long.MaxValue;
        var answeredAt = new ConcurrentQueue<long>();
        var clients = Enumerable.Range(0, citizens)
            .Select(_ => new RetryingClient(Scenario.Request(sale, Scenario.NewCitizen(), Amount)))
            .ToArray();

        void OnAnswer(RetryingClient client, long attemptStartedAt)
        {
            if (client.Final!.IsConfirmed && Interlocked.Increment(ref confirmed) == confirmationsBeforeKill)
            {
                enoughConfirmed.TrySetResult();
            }

            var now = clock.ElapsedTicks;
            answeredAt.Enqueue(now);
            if (attemptStartedAt > Interlocked.Read(ref killedAt))
            {
                Interlocked.CompareExchange(ref firstAnswerAfterKill, now, long.MaxValue);
            }
        }

        using var giveUp = new CancellationTokenSource(RetryDeadline);
        var running = clients.Select(c => c.RunAsync(ledger.Grains, RetryPolicy.Steady, clock, giveUp.Token, gate, OnAnswer)).ToArray();
        await enoughConfirmed.Task.WaitAsync(EventTimeout);
        var confirmedAtKill = Volatile.Read(ref confirmed);
        Interlocked.Exchange(ref killedAt, clock.ElapsedTicks);
        await ledger.Cluster.KillSiloAsync(citySilo);
        var killReturnedAt = clock.ElapsedTicks;
        await Task.WhenAll(running);

        Report(clients, clock, confirmedAtKill, killedAt, killReturnedAt, firstAnswerAfterKill, answeredAt);

        // The kill came mid-sale: some were confirmed, and not yet all the cap could hold.
        Assert.InRange(confirmedAtKill, confirmationsBeforeKill, (int)(cap / Amount) - 1);
        var unanswered = clients.Where(c => c.Final is null).ToArray();
        Assert.True(unanswered.Length == 0,
            $"{unanswered.Length} requests got no final answer by the deadline; e.g. {unanswered.FirstOrDefault()?.Describe()}");
        var finalOutcomes = clients.GroupBy(c => c.Final!.Outcome).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal([PurchaseOutcome.Confirmed, PurchaseOutcome.SoldOut], finalOutcomes.Keys.Order());

        // Every confirmation any client saw is in the ledger as told, and every purchase there was finally
        // answered Confirmed to its buyer; nothing oversold, no key bought twice, no gap.
        Assert.Empty(await ledger.AuditAsync(sale, policy, clients));
        var reading = await ledger.ReadLedgerAsync(sale, policy);
        Assert.All(reading.Entries, e => Assert.Equal(LedgerEntryKind.Purchase, e.Kind));
        var snapshot = await ledger.SnapshotAsync(sale);
        Assert.Equal(cap, reading.SoldByEntries().Mobile);
        Assert.Equal(cap, snapshot.Mobile.Sold);
        Assert.Equal(cap / Amount, finalOutcomes[PurchaseOutcome.Confirmed]);
        await ledger.AssertAuditConsistentAsync(sale);
        // The grain really moved: a new activation, on a surviving silo, claimed the ledger.
        Assert.True((await ledger.Store.ReadHeadAsync(sale))!.Epoch > epochBefore, "No new activation claimed the ledger.");
        Assert.NotEqual(citySilo.SiloAddress, await ActivationSiloAsync(city));
    }

    [Fact]
    public async Task Retry_with_the_same_key_after_the_silo_is_killed_returns_the_first_purchase_and_the_grain_reactivates_with_its_counters()
    {
        const int buyers = 20;
        var (sale, city, citySilo) = await OpenSaleOffThePrimaryAsync(Scenario.OpenPolicy(ledger));
        var epochBefore = (await ledger.Store.ReadHeadAsync(sale))!.Epoch;
        var requests = Enumerable.Range(0, buyers).Select(_ => Scenario.Request(sale, Scenario.NewCitizen(), Amount)).ToArray();
        var first = await Task.WhenAll(requests.Select(r => ledger.BuyAsync(r)));
        Assert.All(first, r => Assert.Equal(PurchaseOutcome.Confirmed, r.Outcome));

        await ledger.Cluster.KillSiloAsync(citySilo);
        var retried = await Task.WhenAll(requests.Select(FinalAnswerAsync));

        for (var i = 0; i < buyers; i++)
        {
            Assert.Equal(PurchaseOutcome.Confirmed, retried[i].Outcome);
            Assert.Equal(first[i].Purchase, retried[i].Purchase);
        }

        await AssertCountersAsync(sale, buyers);
        Assert.True((await ledger.Store.ReadHeadAsync(sale))!.Epoch > epochBefore, "No new activation claimed the ledger.");

        // A silo joins again and the grain is activated afresh: it starts from the ledger's counters.
        await ledger.Cluster.StartAdditionalSiloAsync();
        var epochAfterKill = (await ledger.Store.ReadHeadAsync(sale))!.Epoch;
        await ledger.Cluster.DeactivateAsync(city);
        await AssertCountersAsync(sale, buyers);
        Assert.True((await ledger.Store.ReadHeadAsync(sale))!.Epoch > epochAfterKill, "The grain was not activated afresh.");
        var next = await FinalAnswerAsync(Scenario.Request(sale, Scenario.NewCitizen(), Amount));
        Assert.Equal(PurchaseOutcome.Confirmed, next.Outcome);
        Assert.Equal(buyers + 1, next.Purchase!.Sequence);
        Assert.All(
            await Task.WhenAll(requests.Select(r => ledger.BuyAsync(r))),
            (r, i) => Assert.Equal(first[i].Purchase!.PurchaseId, r.Purchase?.PurchaseId));
        await AssertCountersAsync(sale, buyers + 1);
        await ledger.AssertAuditConsistentAsync(sale);
    }

    [Fact]
    public async Task Retry_with_the_same_key_after_the_silo_is_killed_returns_the_first_purchase_even_once_the_sale_has_sold_out()
    {
        // Half the buyers' citizen grains live on the silo that dies (so their memory of the answer dies
        // with it), half elsewhere; together they buy the whole cap.
        const int buyersPerSide = 10;
        const long cap = 2 * buyersPerSide * Amount;
        var (sale, city, citySilo) = await OpenSaleOffThePrimaryAsync(Scenario.OpenPolicy(ledger, mobileCap: cap, paperCap: 0));
        var onDoomedSilo = await CitizensPlacedAsync(sale, citySilo.SiloAddress, onIt: true, buyersPerSide);
        var elsewhere = await CitizensPlacedAsync(sale, citySilo.SiloAddress, onIt: false, buyersPerSide);
        var requests = onDoomedSilo.Concat(elsewhere).Select(c => Scenario.Request(sale, c, Amount)).ToArray();
        var first = await Task.WhenAll(requests.Select(r => ledger.BuyAsync(r)));
        Assert.All(first, r => Assert.Equal(PurchaseOutcome.Confirmed, r.Outcome));
        Assert.Equal(SaleStatus.SoldOut, (await ledger.SnapshotAsync(sale)).Status);

        await ledger.Cluster.KillSiloAsync(citySilo);
        var retried = await Task.WhenAll(requests.Select(FinalAnswerAsync));

        var answeredOtherwise = requests.Zip(first, retried)
            .Where(x => x.Third.Purchase?.PurchaseId != x.Second.Purchase!.PurchaseId)
            .Select(x => $"{x.First.CitizenId}: first {x.Second.Purchase!.PurchaseId}, then {x.Third.Outcome}")
            .ToArray();
        Assert.True(answeredOtherwise.Length == 0,
            $"{answeredOtherwise.Length} of {requests.Length} retries did not get the first answer: {string.Join("; ", answeredOtherwise)}");
        await AssertCountersAsync(sale, 2 * buyersPerSide);
        await ledger.AssertAuditConsistentAsync(sale);
    }

    /// <summary>Opens a sale on fresh program-months until its grain is placed on a secondary silo.</summary>
    [Fact]
    public async Task A_waiting_room_whose_silo_dies_numbers_after_every_old_ticket_and_keeps_its_pre_queues()
    {
        var now = ledger.Clock.GetUtcNow();
        var (placedOpening, laterOpening) = (now.AddSeconds(30), now.AddMinutes(5));
        var (sale, room, roomSilo) = await WaitingRoomOffThePrimaryAsync();
        var numbered = await room.TakeAsync(Enumerable.Range(0, 5).Select(i => new TicketClaim($"early-{i}")).ToArray());
        var placedMembers = Enumerable.Range(0, 20).Select(i => new TicketClaim($"placed-{i}", placedOpening)).ToArray();
        var laterMembers = Enumerable.Range(0, 20).Select(i => new TicketClaim($"later-{i}", laterOpening)).ToArray();
        await room.TakeAsync([.. placedMembers, .. laterMembers]);
        ledger.Clock.Advance(TimeSpan.FromSeconds(31));
        var placedBefore = await room.GetPreQueueOrderAsync(placedOpening);

        await ledger.Cluster.KillSiloAsync(roomSilo);
        var after = ledger.Grains.GetWaitingRoom(sale);
        var newcomer = (await after.TakeAsync([new TicketClaim("newcomer")]))[0];
        var placedAfter = await after.GetPreQueueOrderAsync(placedOpening);
        // A ticket from before comes back through a gateway: the room learns it again and keeps its place.
        await after.ReportAsync(new WaitingRoomReport("g", 0, 0, 0,
            [new TicketSeen("early-0", numbered[0], ledger.Clock.GetUtcNow().AddSeconds(40))]));
        var askedAgain = (await after.TakeAsync([new TicketClaim("early-0")]))[0];
        ledger.Clock.Advance(TimeSpan.FromMinutes(5));
        var laterAfter = await after.GetPreQueueOrderAsync(laterOpening);

        Assert.Equal(new long?[] { 1, 2, 3, 4, 5 }, numbered.Select(g => g.Number));
        Assert.NotNull(placedBefore);
        Assert.Equal(placedBefore.FirstNumber, placedAfter!.FirstNumber);
        Assert.Equal(placedBefore.Citizens, placedAfter.Citizens);
        Assert.True(newcomer.Number > placedBefore.FirstNumber + placedBefore.Citizens.Count - 1,
            $"The newcomer got {newcomer.Number}, not after every old ticket.");
        Assert.Equal(1, askedAgain.Number);
        Assert.Equal(laterMembers.Select(m => m.CitizenId).Order(), laterAfter!.Citizens.Order());
        Assert.True(laterAfter.FirstNumber > newcomer.Number);
    }

    private async Task<(ProgramMonth Sale, IWaitingRoomGrain Room, SiloHandle Silo)> WaitingRoomOffThePrimaryAsync()
    {
        var primary = ledger.Cluster.Primary!.SiloAddress;
        for (var attempt = 1; attempt <= PlacementAttemptsMax; attempt++)
        {
            var sale = await ledger.OpenSaleAsync();
            var room = ledger.Grains.GetWaitingRoom(sale);
            await room.GetPreQueueOrderAsync(ledger.Clock.GetUtcNow());
            var address = await ActivationSiloAsync(room);
            if (address is not null && !address.Equals(primary))
            {
                return (sale, room, ledger.Cluster.SecondarySilos.Single(s => s.SiloAddress.Equals(address)));
            }
        }

        throw new InvalidOperationException($"No waiting room of {PlacementAttemptsMax} was placed off the primary silo.");
    }

    private async Task<(ProgramMonth Sale, ICityMonthGrain City, SiloHandle Silo)> OpenSaleOffThePrimaryAsync(Policy policy)
    {
        var primary = ledger.Cluster.Primary?.SiloAddress
            ?? throw new InvalidOperationException("The test cluster has no primary silo.");
        for (var attempt = 1; attempt <= PlacementAttemptsMax; attempt++)
        {
            var sale = await ledger.OpenSaleAsync(policy);
            var city = ledger.City(sale);
            var address = await ActivationSiloAsync(city);
            Assert.NotNull(address);
            if (!address.Equals(primary))
            {
                output.WriteLine($"{sale} is on {address} (attempt {attempt}); the primary is {primary}");
                return (sale, city, ledger.Cluster.SecondarySilos.Single(s => s.SiloAddress.Equals(address)));
            }
        }

        throw new InvalidOperationException($"No program-month of {PlacementAttemptsMax} was placed off the primary silo.");
    }

    /// <summary>Fresh citizens whose grains were activated on (or off) a silo.</summary>
    private async Task<string[]> CitizensPlacedAsync(ProgramMonth sale, SiloAddress silo, bool onIt, int count)
    {
        var found = new List<string>();
        var deadline = Stopwatch.StartNew();
        while (found.Count < count)
        {
            Assert.True(deadline.Elapsed < EventTimeout, $"Found only {found.Count} of {count} citizens placed as wanted.");
            var citizen = Scenario.NewCitizen();
            var grain = ledger.Grains.GetGrain<ICitizenGrain>(citizen);
            await grain.GetMonthAsync(sale);
            if (silo.Equals(await ActivationSiloAsync(grain)) == onIt)
            {
                found.Add(citizen);
            }
        }

        return [.. found];
    }

    private async Task<SiloAddress?> ActivationSiloAsync(IAddressable grain) =>
        await ledger.Grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grain);

    /// <summary>Retries a request, as a client does, until it gets a final answer.</summary>
    private Task<PurchaseResult> FinalAnswerAsync(PurchaseRequest request) =>
        RetryingClient.FinalAnswerAsync(ledger.Grains, request, RetryDeadline);

    private async Task AssertCountersAsync(ProgramMonth sale, int purchases)
    {
        var snapshot = await ledger.SnapshotAsync(sale);
        Assert.Equal(purchases * Amount, snapshot.Mobile.Sold);
        Assert.Equal(purchases, snapshot.Entries);
        var head = await ledger.Store.ReadHeadAsync(sale);
        Assert.Equal(purchases + 1, head!.NextSequence);
        Assert.Equal(purchases * Amount, head.Sold.Mobile);
    }

    /// <summary>How long purchases were unavailable after the kill, and what the clients went through.</summary>
    private void Report(
        RetryingClient[] clients, Stopwatch clock, int confirmedAtKill, long killedAt, long killReturnedAt,
        long firstAnswerAfterKill, ConcurrentQueue<long> answeredAt)
    {
        // Unavailability: from the kill to the first final answer to a request made after it, and the
        // longest stretch after the kill began in which no request got a final answer.
        var ms = (long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        var answersSinceKill = answeredAt.Where(t => t >= killedAt).Order().Prepend(killedAt).ToArray();
        var longestSilence = answersSinceKill.Zip(answersSinceKill[1..], (a, b) => b - a).DefaultIfEmpty(0).Max();
        var errors = clients.SelectMany(c => c.Errors).GroupBy(e => e.Split(':')[0]).Select(g => $"{g.Count()} x {g.Key}");
        output.WriteLine(
            $"confirmed at kill {confirmedAtKill}; the kill took {ms(killReturnedAt - killedAt):F0} ms; purchases unavailable for " +
            $"{ms(firstAnswerAfterKill - killedAt):F0} ms (kill to the first final answer to a request made after it), " +
            $"longest stretch without any final answer {ms(longestSilence):F0} ms; " +
            $"outcomes {string.Join(", ", clients.GroupBy(c => c.Final?.Outcome.ToString() ?? "none").Select(g => $"{g.Key} {g.Count()}"))}; failed attempts " +
            $"{clients.Sum(c => c.Failures)} (first errors: {string.Join(", ", errors)}), busy {clients.Sum(c => c.Busy)}, " +
            $"most attempts by one client {clients.Max(c => c.Attempts)}; whole run {clock.Elapsed.TotalMilliseconds:F0} ms");
    }
}
