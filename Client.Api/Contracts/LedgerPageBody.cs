namespace Ledger.Client.Api.Contracts;

/// <summary>Entries in sequence order; <see cref="Next"/> is the <c>after</c> of the next page, null at the end.</summary>
public sealed record LedgerPageBody(IReadOnlyList<LedgerEntryBody> Entries, long? Next);
