using System.Globalization;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Bench;

/// <summary>
/// A run's workload: the program-months on sale and every citizen's plan. Program ids carry a fresh run id,
/// so runs never meet each other's data, and the sales are in the current month (KST) and already open: the
/// run is the opening minute. Shares of the citizens: 20% double-tap (the same key twice at once), 10% try a
/// second purchase, 2% cancel their purchase at the end, and everyone polls the remaining cap first.
/// </summary>
public sealed record Scenario(string Name, string RunId, IReadOnlyList<Sale> Sales, IReadOnlyList<CitizenPlan> Citizens)
{
    public const long Unit = 10_000;
    public const long Limit = 200_000;
    public const double DoubleTapShare = 0.20;
    public const double SecondPurchaseShare = 0.10;
    public const double CancelShare = 0.02;

    /// <summary>December 2022's citizen count; the real caps are scaled by citizens / this.</summary>
    public const int Dec2022Citizens = 300_000;

    /// <summary>Programs in the nationwide scenario.</summary>
    public const int NationwidePrograms = 200;

    /// <summary>The plans are drawn from this seed, so runs of the same size do the same things.</summary>
    private const int Seed = 20221201;

    public double RequestsPerCitizen => Citizens.Average(c => c.Requests);

    /// <summary>
    /// Whether a purchase answered 429 or 503 with Retry-After comes back after it, with the same key and the last
    /// <c>Queue-Ticket</c> it got, until a final answer, as API.md asks of a client (see <see cref="CitizenFlow"/>).
    /// Off where a refusal is the measurement (the open-loop overload runs, the gateway's floors).
    /// </summary>
    public bool FollowsQueue { get; init; }

    /// <summary>The pre-queue before the sales' opening (<c>--pre-queue</c>); null when the sales are open already.</summary>
    public TimeSpan? PreQueue { get; init; }

    /// <summary>When the sales open (the first sale's opening: a scenario's sales open together).</summary>
    public DateTimeOffset OpensAt => Sales[0].Policy.OpensAt;

    public static Scenario Create(string name, int citizens, double? supply)
    {
        var runId = Guid.NewGuid().ToString("N")[..8];
        return name switch
        {
            "dec-2022" => Dec2022(runId, citizens),
            "single-hot" => SingleHot(runId, citizens, supply ?? 1.0),
            "nationwide" => Nationwide(runId, citizens, supply ?? 0.5),
            _ => throw new ArgumentException($"No scenario {name}."),
        };
    }

    /// <summary>
    /// The gateway's own ceilings: one mobile purchase per citizen (of <paramref name="take"/> citizens after the
    /// first <paramref name="skip"/>, when given) and nothing else, against a floor endpoint.
    /// </summary>
    public Scenario OnePurchaseEach(int skip = 0, int? take = null) => this with
    {
        Name = $"{Name}, one purchase each",
        Citizens = Citizens.Skip(skip).Take(take ?? Citizens.Count)
            .Select(c => c with { PollsState = false, DoubleTap = false, SecondChannel = null, Cancels = false })
            .ToArray(),
        // A floor is a capacity: a refusal is one of its answers, as it always was.
        FollowsQueue = false,
    };

    /// <summary>
    /// The same sales opening <paramref name="preQueue"/> from now with a pre-queue as long (API.md's
    /// <c>preQueueMinutes</c>, whole minutes): set just before the run, so the run starts as the pre-queue does.
    /// </summary>
    public Scenario OpeningIn(TimeSpan preQueue)
    {
        var opening = DateTimeOffset.UtcNow + preQueue;
        return this with
        {
            Sales = Sales.Select(s => s with { Policy = s.Policy with { OpensAt = opening, PreQueueMinutes = (int)preQueue.TotalMinutes } }).ToArray(),
            PreQueue = preQueue,
        };
    }

    /// <summary>The same sales taking payment: each purchase a hold until the provider withdraws its price (API.md, "Payments").</summary>
    public Scenario Paid() => this with
    {
        Sales = Sales.Select(s => s with { Policy = s.Policy with { Payment = PaymentMethod.Account } }).ToArray(),
    };

    /// <summary>
    /// One program-month bought by the given citizens, one mobile purchase of <paramref name="amount"/> each and
    /// nothing else, following the waiting room: the storm's closed-loop peak and the ticket check's citizens.
    /// </summary>
    public static Scenario Buyers(string name, string runId, Sale sale, IEnumerable<string> citizenIds, long amount) =>
        new(name, runId, [sale], citizenIds.Select(id => new CitizenPlan(
            id, 0, Channel.Mobile, amount, PollsState: false, DoubleTap: false, SecondChannel: null, Cancels: false)).ToArray())
        {
            FollowsQueue = true,
        };

    /// <summary>
    /// The December 2022 policies of DOMAIN.md: Chuncheon mobile (59억) and paper (19억) at 10% off, Gangwon
    /// mobile (60억) at 5% off, 200,000 a citizen a month in 10,000 units. Caps scale with citizens/300,000 so
    /// that demand over supply stays that day's (about 4.3x). Citizens split about as the caps do: 43%
    /// Chuncheon mobile, 14% Chuncheon paper (at a teller), 43% Gangwon mobile; a second purchase is on
    /// Chuncheon's other channel (the limit spans channels) or again on Gangwon mobile.
    /// </summary>
    private static Scenario Dec2022(string runId, int citizens)
    {
        var scale = (double)citizens / Dec2022Citizens;
        Sale SaleOf(string program, int discountBps, long mobileCap, long paperCap) => new(
            new ProgramMonth($"{program}-{runId}", CurrentMonth()),
            OpenPolicy(discountBps, Limit, Scaled(mobileCap, scale), Scaled(paperCap, scale)));
        Sale[] sales =
        [
            SaleOf("chuncheon", 1_000, 5_900_000_000, 1_900_000_000),
            SaleOf("gangwon", 500, 6_000_000_000, 0),
        ];

        var random = new Random(Seed);
        var plans = new CitizenPlan[citizens];
        for (var i = 0; i < citizens; i++)
        {
            var pick = random.NextDouble();
            var (saleIndex, channel) = pick < 0.43 ? (0, Channel.Mobile) : pick < 0.57 ? (0, Channel.Paper) : (1, Channel.Mobile);
            var second = saleIndex == 0 ? (channel == Channel.Mobile ? Channel.Paper : Channel.Mobile) : Channel.Mobile;
            plans[i] = Plan(random, runId, i, saleIndex, channel, Limit, second);
        }

        // December 2022's crowd comes back when told: with the waiting room a 429 is a place, not a refusal.
        return new Scenario("dec-2022", runId, sales, plans) { FollowsQueue = true };
    }

    /// <summary>
    /// One hot program-month, mobile only, each citizen buying one 10,000 unit (the limit). The cap is
    /// <paramref name="supply"/> of the demand: by default 1.0, so every first purchase fits and the confirmed
    /// rate is the write path's, not diluted by cheap sold-out answers; below 1 it sells out.
    /// </summary>
    private static Scenario SingleHot(string runId, int citizens, double supply)
    {
        var sale = new Sale(
            new ProgramMonth($"hot-{runId}", CurrentMonth()),
            OpenPolicy(1_000, Unit, Scaled(citizens * Unit, supply), 0));
        var random = new Random(Seed);
        var plans = Enumerable.Range(0, citizens)
            .Select(i => Plan(random, runId, i, 0, Channel.Mobile, Unit, Channel.Mobile))
            .ToArray();
        return new Scenario("single-hot", runId, [sale], plans);
    }

    /// <summary>
    /// 200 programs opening at once (one vendor serves every program in the country), mobile only, citizens
    /// spread evenly, each buying the limit; each program's cap is <paramref name="supply"/> of its demand
    /// (default 0.5, so each sells out).
    /// </summary>
    private static Scenario Nationwide(string runId, int citizens, double supply)
    {
        var perProgram = Math.Max(1, citizens / NationwidePrograms);
        var sales = Enumerable.Range(0, NationwidePrograms)
            .Select(p => new Sale(
                new ProgramMonth(string.Create(CultureInfo.InvariantCulture, $"n{p:000}-{runId}"), CurrentMonth()),
                OpenPolicy(1_000, Limit, Scaled(perProgram * Limit, supply), 0)))
            .ToArray();
        var random = new Random(Seed);
        var plans = Enumerable.Range(0, citizens)
            .Select(i => Plan(random, runId, i, i % NationwidePrograms, Channel.Mobile, Limit, Channel.Mobile))
            .ToArray();
        return new Scenario("nationwide", runId, sales, plans);
    }

    private static CitizenPlan Plan(Random random, string runId, int index, int saleIndex, Channel channel, long amount, Channel second) =>
        new(string.Create(CultureInfo.InvariantCulture, $"c{runId}-{index}"), saleIndex, channel, amount,
            PollsState: true,
            DoubleTap: random.NextDouble() < DoubleTapShare,
            SecondChannel: random.NextDouble() < SecondPurchaseShare ? second : null,
            Cancels: random.NextDouble() < CancelShare);

    /// <summary>A sale that opened a minute ago, in 10,000 units.</summary>
    private static Policy OpenPolicy(int discountBps, long limit, long mobileCap, long paperCap) =>
        new(DateTimeOffset.UtcNow.AddMinutes(-1), discountBps, limit, Unit, new ChannelAmounts(mobileCap, paperCap));

    private static long Scaled(long amount, double factor) => (long)(amount * factor / Unit) * Unit;

    private static string CurrentMonth() => ProgramMonth.MonthOf(DateTimeOffset.UtcNow);
}
