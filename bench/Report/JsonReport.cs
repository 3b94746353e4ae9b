using System.Text.Json;

namespace Ledger.Bench;

/// <summary>Writes a run's report as <c>--json</c> asks, in the same shape for every scenario (camelCase, indented).</summary>
public static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Writes <paramref name="report"/> to <paramref name="path"/> and says where; nothing without a path.</summary>
    public static async Task WriteAsync<T>(string? path, T report)
    {
        if (path is null)
        {
            return;
        }

        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, Options));
        Console.WriteLine($"JSON: {path}");
    }
}
