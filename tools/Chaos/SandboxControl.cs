using System.Net.Http.Json;
using Ledger.Testing;

namespace Ledger.Chaos;

/// <summary>The payment sandbox's own endpoints (API.md, "The payment sandbox"): its faults, and each payer's money.</summary>
public sealed class SandboxControl(Uri baseAddress) : IDisposable
{
    /// <summary>Payers asked for at once when reading many.</summary>
    public const int PayerReadsInFlightMax = 16;

    private readonly HttpClient client = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public Uri BaseAddress => baseAddress;

    public async Task SetFaultsAsync(BankFaults faults)
    {
        using var response = await client.PutAsJsonAsync("sandbox/faults", faults);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>What the provider withdrew from each payer and returned to them, in won: its own truth.</summary>
    public async Task<IReadOnlyDictionary<string, PayerMoney>> PayersAsync(IEnumerable<string> citizenIds)
    {
        var payers = new System.Collections.Concurrent.ConcurrentDictionary<string, PayerMoney>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            citizenIds.Distinct(StringComparer.Ordinal), new ParallelOptions { MaxDegreeOfParallelism = PayerReadsInFlightMax },
            async (citizen, cancellationToken) => payers[citizen] = (await client.GetFromJsonAsync<PayerMoney>(
                $"sandbox/payers/{Uri.EscapeDataString(citizen)}", cancellationToken))!);
        return payers;
    }

    public void Dispose() => client.Dispose();
}
