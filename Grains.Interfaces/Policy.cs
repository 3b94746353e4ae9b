using Ledger.Sale;

namespace Ledger.Grains.Interfaces;

/// <summary>
/// The sales policy of one program-month. The sale opens at <see cref="OpensAt"/> (never before the month
/// starts in KST) and closes when the month ends. Buyers pay the face amount less
/// <see cref="DiscountBps"/> basis points, rounded down to the won. With <see cref="Cohorts"/>, a citizen whose
/// birth year a cohort takes opens at the earliest such cohort's <see cref="Cohort.OpensAt"/> instead.
/// With <see cref="Payment"/> <see cref="PaymentMethod.Account"/>, each purchase is a hold until the provider
/// withdraws its price, for at most <see cref="HoldSeconds"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("Ledger.Policy")]
public sealed record Policy(
    [property: Id(0)] DateTimeOffset OpensAt,
    [property: Id(1)] int DiscountBps,
    [property: Id(2)] long CitizenMonthlyLimit,
    [property: Id(3)] long Unit,
    [property: Id(4)] ChannelAmounts Caps,
    [property: Id(5)] IReadOnlyList<Cohort>? Cohorts = null,
    [property: Id(6)] int PreQueueMinutes = 0,
    [property: Id(7)] PaymentMethod Payment = PaymentMethod.None,
    [property: Id(8)] int HoldSeconds = Policy.DefaultHoldSeconds)
{
    /// <summary>How long a hold waits for its payment unless the policy says otherwise.</summary>
    public const int DefaultHoldSeconds = 600;

    /// <summary>The longest a hold may wait: a day.</summary>
    public const int HoldSecondsMax = 24 * 60 * 60;

    public const int BasisPointsPerWhole = Rules.BasisPointsPerWhole;

    /// <summary>Cohorts a policy may name.</summary>
    public const int CohortsMax = 16;

    /// <summary>The longest pre-queue a policy may set: a day.</summary>
    public const int PreQueueMinutesMax = 24 * 60;

    /// <summary>
    /// When a buyer who opens at <paramref name="opening"/> may join its pre-queue; null when the policy has none.
    /// </summary>
    public DateTimeOffset? PreQueueFrom(DateTimeOffset opening) => Rules.PreQueueFrom(opening, PreQueueMinutes);

    /// <summary>Whether, at <paramref name="now"/>, a buyer who opens at <paramref name="opening"/> is in its pre-queue.</summary>
    public bool IsInPreQueue(DateTimeOffset opening, DateTimeOffset now) => Rules.IsInPreQueue(opening, now, PreQueueMinutes);

    /// <summary>When the sale opens for a citizen born in <paramref name="birthYear"/> (null: unknown).</summary>
    public DateTimeOffset OpeningFor(ProgramMonth programMonth, int? birthYear)
    {
        var theirs = birthYear is { } year ? Cohorts?.Where(c => c.BirthYears.Contains(year)).ToArray() : null;
        return InMonth(theirs is { Length: > 0 } ? theirs.Min(c => c.OpensAt) : OpensAt, programMonth);
    }

    /// <summary>When the sale first opens for anyone: the earliest of <see cref="OpensAt"/> and the cohorts'.</summary>
    public DateTimeOffset FirstOpening(ProgramMonth programMonth) =>
        InMonth(Cohorts?.Select(c => c.OpensAt).Append(OpensAt).Min() ?? OpensAt, programMonth);

    // A record's generated equality compares the list by reference; policies are compared by value.
    public bool Equals(Policy? other) =>
        other is not null && OpensAt == other.OpensAt && DiscountBps == other.DiscountBps
        && CitizenMonthlyLimit == other.CitizenMonthlyLimit && Unit == other.Unit && Caps == other.Caps
        && PreQueueMinutes == other.PreQueueMinutes && (Cohorts ?? []).SequenceEqual(other.Cohorts ?? [])
        && Payment == other.Payment && HoldSeconds == other.HoldSeconds;

    public override int GetHashCode() => HashCode.Combine(OpensAt, DiscountBps, CitizenMonthlyLimit, Unit, Caps, Cohorts?.Count ?? 0);

    /// <summary>The price of a face amount: amount x (1 - discount), rounded down to the won.</summary>
    public long PriceOf(long amount) => Rules.PriceOf(amount, DiscountBps);

    /// <summary>The policy as the sale core holds a purchase to it in <paramref name="programMonth"/>.</summary>
    public Rules ToRules(ProgramMonth programMonth) => new(
        Caps, CitizenMonthlyLimit, Unit, DiscountBps, PreQueueMinutes, programMonth.End,
        birthYear => OpeningFor(programMonth, birthYear), Payment == PaymentMethod.Account ? HoldSeconds : 0);

    /// <summary>When the sale really opens: the later of <see cref="OpensAt"/> and the month's start.</summary>
    public DateTimeOffset EffectiveOpening(ProgramMonth programMonth) => InMonth(OpensAt, programMonth);

    // A sale never opens before its month starts.
    private static DateTimeOffset InMonth(DateTimeOffset opensAt, ProgramMonth programMonth) =>
        opensAt > programMonth.Start ? opensAt : programMonth.Start;

    private void ValidateCohorts(ProgramMonth programMonth, List<(string, string)> errors)
    {
        if (Cohorts is null)
        {
            return;
        }

        if (Cohorts.Count > CohortsMax)
        {
            errors.Add(("cohorts", $"A policy names at most {CohortsMax} cohorts."));
        }

        for (var i = 0; i < Cohorts.Count; i++)
        {
            if (Cohorts[i].OpensAt >= programMonth.End)
            {
                errors.Add(($"cohorts[{i}].opensAt", $"A cohort must open before the month ends ({programMonth.End:O})."));
            }

            if (Cohorts[i].BirthYears is { Parity: null, From: { } from, To: { } to } && from > to)
            {
                errors.Add(($"cohorts[{i}].birthYears", "'from' must not be after 'to'."));
            }
        }
    }

    /// <summary>Each rule the policy breaks, as (field, message) pairs; empty when it is valid.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate(ProgramMonth programMonth)
    {
        var errors = new List<(string, string)>();
        if (OpensAt >= programMonth.End)
        {
            errors.Add(("opensAt", $"The sale must open before the month ends ({programMonth.End:O})."));
        }

        if (DiscountBps is < 0 or >= BasisPointsPerWhole)
        {
            errors.Add(("discountBps", "The discount must be from 0 to 9999 basis points."));
        }

        if (Unit <= 0)
        {
            errors.Add(("unit", "The sale unit must be a positive amount of won."));
        }
        else if (DiscountBps is >= 0 and < BasisPointsPerWhole && PriceOf(Unit) < 1)
        {
            errors.Add(("unit", "One unit must cost at least 1 won after the discount."));
        }

        if (CitizenMonthlyLimit <= 0)
        {
            errors.Add(("citizenMonthlyLimit", "The monthly limit must be a positive amount of won."));
        }

        if (Caps.Mobile < 0)
        {
            errors.Add(("caps.mobile", "A cap cannot be negative."));
        }

        if (Caps.Paper < 0)
        {
            errors.Add(("caps.paper", "A cap cannot be negative."));
        }

        // A cap or limit between whole units would leave a remainder no purchase can take: a channel open for good
        // that refuses every purchase.
        if (Unit > 0)
        {
            foreach (var (field, amount) in new[] { ("citizenMonthlyLimit", CitizenMonthlyLimit), ("caps.mobile", Caps.Mobile), ("caps.paper", Caps.Paper) })
            {
                if (amount > 0 && amount % Unit != 0)
                {
                    errors.Add((field, $"Must be a whole number of units of {Unit} won."));
                }
            }
        }

        if (PreQueueMinutes is < 0 or > PreQueueMinutesMax)
        {
            errors.Add(("preQueueMinutes", $"The pre-queue is from 0 to {PreQueueMinutesMax} minutes."));
        }

        if (HoldSeconds is < 1 or > HoldSecondsMax)
        {
            errors.Add(("holdSeconds", $"A hold lasts from 1 to {HoldSecondsMax} seconds."));
        }

        ValidateCohorts(programMonth, errors);
        return errors;
    }
}
