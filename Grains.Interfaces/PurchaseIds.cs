using System.Globalization;

namespace Ledger.Grains.Interfaces;

/// <summary>
/// Purchase ids name the ledger entry that created the purchase: <c>{programId}.{yyyy-MM}.{sequence}</c>.
/// Program ids hold no dots, so the id parses back unambiguously and routes to its program-month grain.
/// </summary>
public static class PurchaseIds
{
    public static string Format(ProgramMonth programMonth, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{programMonth.ProgramId}.{programMonth.Month}.{sequence}");

    public static bool TryParse(string? purchaseId, out ProgramMonth programMonth, out long sequence)
    {
        programMonth = default;
        sequence = 0;
        var parts = purchaseId?.Split('.');
        return parts is { Length: 3 }
            && ProgramMonth.TryCreate(parts[0], parts[1], out programMonth)
            && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out sequence)
            && sequence > 0;
    }
}
