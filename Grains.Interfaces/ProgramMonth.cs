using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Ledger.Grains.Interfaces;

/// <summary>
/// One program's sales month, e.g. <c>chuncheon/2022-12</c>. Months are calendar months in Korea Standard
/// Time (UTC+9, no daylight saving), so a month starts and ends at midnight KST.
/// </summary>
[GenerateSerializer, Immutable, Alias("Ledger.ProgramMonth")]
public readonly partial record struct ProgramMonth(
    [property: Id(0)] string ProgramId,
    [property: Id(1)] string Month)
{
    public static readonly TimeSpan KoreaOffset = TimeSpan.FromHours(9);

    /// <summary>The grain key of the program-month: <c>{programId}/{yyyy-MM}</c>.</summary>
    public string Key => $"{ProgramId}/{Month}";

    /// <summary>The first instant of the month, midnight KST on the 1st.</summary>
    public DateTimeOffset Start
    {
        get
        {
            var (year, month) = ParseMonth(Month);
            return new DateTimeOffset(year, month, 1, 0, 0, 0, KoreaOffset);
        }
    }

    /// <summary>The first instant after the month, midnight KST on the 1st of the next month.</summary>
    public DateTimeOffset End => Start.AddMonths(1);

    public static bool IsValidProgramId([NotNullWhen(true)] string? programId) =>
        programId is not null && ProgramIdPattern().IsMatch(programId);

    public static bool IsValidMonth([NotNullWhen(true)] string? month) =>
        month is not null && MonthPattern().IsMatch(month) && ParseMonth(month) is { Year: >= 1000 and <= 9998, Month: >= 1 and <= 12 };

    public static bool TryCreate(string? programId, string? month, out ProgramMonth programMonth)
    {
        programMonth = default;
        if (!IsValidProgramId(programId) || !IsValidMonth(month))
        {
            return false;
        }

        programMonth = new ProgramMonth(programId, month);
        return true;
    }

    /// <summary>Parses a grain key made by <see cref="Key"/>.</summary>
    public static ProgramMonth ParseKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !TryCreate(key[..slash], key[(slash + 1)..], out var programMonth))
        {
            throw new FormatException($"'{key}' is not a program-month key.");
        }

        return programMonth;
    }

    /// <summary>The sales month (KST) that contains an instant.</summary>
    public static string MonthOf(DateTimeOffset instant) =>
        instant.ToOffset(KoreaOffset).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public override string ToString() => Key;

    private static (int Year, int Month) ParseMonth(string month) =>
        (int.Parse(month.AsSpan(0, 4), CultureInfo.InvariantCulture),
         int.Parse(month.AsSpan(5, 2), CultureInfo.InvariantCulture));

    [GeneratedRegex("^[a-z0-9-]{1,40}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ProgramIdPattern();

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex MonthPattern();
}
