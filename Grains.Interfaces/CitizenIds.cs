using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Ledger.Grains.Interfaces;

/// <summary>The rules for citizen ids and idempotency keys, shared by the gateway and the grains.</summary>
public static partial class CitizenIds
{
    public const int IdempotencyKeyLengthMax = 128;

    /// <summary>The characters an idempotency key is made of: visible ASCII (a regular-expression class).</summary>
    public const string IdempotencyKeyCharacters = "[\\x21-\\x7E]";

    public static bool IsValid([NotNullWhen(true)] string? citizenId) =>
        citizenId is not null && CitizenIdPattern().IsMatch(citizenId);

    /// <summary>An idempotency key is 1 to 128 visible ASCII characters.</summary>
    public static bool IsValidIdempotencyKey([NotNullWhen(true)] string? key) =>
        key is not null && IdempotencyKeyPattern().IsMatch(key);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex CitizenIdPattern();

    [GeneratedRegex("^" + IdempotencyKeyCharacters + "{1,128}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdempotencyKeyPattern();
}
