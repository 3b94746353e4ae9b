using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Testing;

/// <summary>
/// One step of a generated ledger case. Steps name citizens and keys by small indexes (so they repeat) and
/// earlier requests or purchases by a pick that is resolved, modulo what exists, when the step runs: removing
/// steps while shrinking never leaves a step pointing at nothing.
/// </summary>
public abstract record LedgerOperation
{
    /// <summary>A purchase by citizen <c>c{Citizen}</c> with key <c>k{Key}</c>.</summary>
    public sealed record Buy(int Citizen, Channel Channel, long Amount, int Key) : LedgerOperation
    {
        public override string ToString() => $"Buy(c{Citizen}, {Channel}, {Amount}, k{Key})";
    }

    /// <summary>An earlier request again: the same, or its key with another amount or channel.</summary>
    public sealed record Retry(int Pick, RetryKind Kind) : LedgerOperation
    {
        public override string ToString() => $"Retry(#{Pick}, {Kind})";
    }

    /// <summary>A cancellation of an earlier purchase (by its buyer or someone else) or of any sequence.</summary>
    public sealed record Cancel(int Pick, CancelTarget Target) : LedgerOperation
    {
        public override string ToString() => $"Cancel(#{Pick}, {Target})";
    }

    /// <summary>The same request sent twice at once.</summary>
    public sealed record DoubleTap(Buy Request) : LedgerOperation
    {
        public override string ToString() => $"DoubleTap({Request})";
    }

    /// <summary>Several purchases sent at once, each with a fresh key.</summary>
    public sealed record Burst(IReadOnlyList<Buy> Requests) : LedgerOperation
    {
        public override string ToString() => $"Burst({string.Join(", ", Requests)})";
    }

    /// <summary>The citizen grain is deactivated: its remembered answers and known usage are gone.</summary>
    public sealed record Forget(int Citizen) : LedgerOperation
    {
        public override string ToString() => $"Forget(c{Citizen})";
    }
}
