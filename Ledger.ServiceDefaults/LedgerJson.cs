using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ledger.ServiceDefaults;

/// <summary>The JSON every Ledger host reads and writes over HTTP (API.md: camelCase, whole amounts, instants with an offset).</summary>
public static class LedgerJson
{
    /// <summary>
    /// Amounts are JSON integers and instants carry an offset: "200000" or a bare local time is refused; so is a
    /// property given twice (read as its last value, {"amount":-1,"amount":10000} would buy 10,000).
    /// </summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.NumberHandling = JsonNumberHandling.Strict;
        options.AllowDuplicateProperties = false;
        options.Converters.Add(new StrictInstantConverter());
    }
}
