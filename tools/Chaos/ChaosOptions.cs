using Ledger.Testing;

namespace Ledger.Chaos;

/// <summary>
/// The shape of one chaos run: new buyers arrive at <see cref="ArrivalsPerSecond"/> whatever happens (an open
/// run), each buying <see cref="Amount"/> once and retrying with its key until it has a final answer.
/// </summary>
/// <param name="ConfirmationsBeforeFault">The fault strikes once this many purchases are confirmed.</param>
/// <param name="CapPurchases">The mobile cap, in purchases of <see cref="Amount"/>: once sold, buyers are told SoldOut.</param>
/// <param name="LoadAfterRepair">How long buyers keep arriving after the repair, to show the system serving again.</param>
/// <param name="ResumeTimeout">The longest the run waits for purchases to be answered again after the fault.</param>
/// <param name="SettleTimeout">After the last arrival, how long clients keep retrying before a request counts as unanswered.</param>
/// <param name="Payments">Set when the sale takes payment: each purchase is then a hold until the provider is paid.</param>
public sealed record ChaosOptions(
    int ArrivalsPerSecond,
    int ConfirmationsBeforeFault,
    long CapPurchases,
    TimeSpan LoadAfterRepair,
    TimeSpan ResumeTimeout,
    TimeSpan SettleTimeout,
    long Amount = ChaosOptions.DefaultAmount,
    ChaosPayments? Payments = null)
{
    public const long DefaultAmount = 10_000;

    /// <summary>Buyers per run at most: arrivals stop here even if the run goes on.</summary>
    public const int ArrivalsMax = 200_000;

    /// <summary>How long past a hold's time and the minute allowed after it a buyer still asks, to hear how the hold ended.</summary>
    public static readonly TimeSpan HoldAnswerSlack = TimeSpan.FromSeconds(15);

    public static ChaosOptions Default { get; } = new(
        ArrivalsPerSecond: 200,
        ConfirmationsBeforeFault: 500,
        CapPurchases: 1_000_000,
        LoadAfterRepair: TimeSpan.FromSeconds(3),
        ResumeTimeout: TimeSpan.FromSeconds(60),
        SettleTimeout: TimeSpan.FromSeconds(60));

    /// <summary>
    /// After the last arrival, how long buyers keep asking: <see cref="SettleTimeout"/>, or on a sale that takes payment
    /// at least as long as a hold may stay open (its time and the minute past it), and a little more.
    /// </summary>
    public TimeSpan BuyersSettleTimeout => Payments is { } payments
        ? TimeSpan.FromTicks(Math.Max(
            SettleTimeout.Ticks, (TimeSpan.FromSeconds(payments.HoldSeconds) + PaymentAuditor.ResolvedWithin + HoldAnswerSlack).Ticks))
        : SettleTimeout;
}
