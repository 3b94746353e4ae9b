namespace Ledger.Client.Api.Contracts;

/// <summary>
/// The public sales feed: every program-month of the current month (KST) whose sale is scheduled, open or
/// sold out, by program id, at most <see cref="ProgramsMax"/> of them; <see cref="More"/> says some were
/// left out (ask for one with <c>?program=</c>).
/// </summary>
public sealed record SalesFeedBody(
    DateTimeOffset At, string Month, int RefreshMilliseconds, int ProgramsMax, bool More, IReadOnlyList<SalesProgramBody> Programs);
