namespace Ledger.Cli;

/// <summary>
/// The binaries ./ledger up runs. With LEDGER_BENCH_NOOP set, the silos and the gateway are the benchmark's hosts
/// (bench/Silo, bench/Gateway): the real ones plus the probe grain and the floor endpoints.
/// </summary>
public sealed class Hosts(LedgerSettings settings, LedgerPaths paths)
{
    private string SiloProject => settings.BenchNoop ? "bench/Silo" : "Silo";

    private string SiloAssembly => settings.BenchNoop ? "Bench.Silo" : "Silo";

    public string GatewayDll => settings.BenchNoop
        ? Release("bench/Gateway", "Bench.Gateway.dll")
        : Release("Client.Api", "Client.Api.dll");

    public string PaymentsDll => Release("tools/PaymentSandbox", "PaymentSandbox.dll");

    public string BenchDll => Release("bench", "Bench.dll");

    /// <summary>The silo's entry assembly: the dll beside a runtimeconfig.json in the Release output.</summary>
    public string? FindSiloDll()
    {
        var bin = Path.Combine(paths.Root, SiloProject, "bin", "Release");
        if (!Directory.Exists(bin))
        {
            return null;
        }

        foreach (var dir in Directory.GetDirectories(bin, "net*").Order(StringComparer.Ordinal).Prepend(Path.Combine(bin, "net10.0")))
        {
            foreach (var candidate in new[] { $"Ledger.{SiloAssembly}.dll", $"{SiloAssembly}.dll" }.Select(name => Path.Combine(dir, name)))
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            if (Directory.Exists(dir) && Directory.GetFiles(dir, "*.runtimeconfig.json").Select(c => c[..^".runtimeconfig.json".Length] + ".dll")
                .FirstOrDefault(File.Exists) is { } dll)
            {
                return dll;
            }
        }

        return null;
    }

    /// <summary>Builds the solution, as ./ledger up always has.</summary>
    public void Build() => DotnetBuild.Run(paths, "Ledger.sln");

    public string SiloDllOrBuild()
    {
        if (FindSiloDll() is { } built)
        {
            return built;
        }

        Build();
        return FindSiloDll() ?? throw new UserError($"build succeeded but no silo assembly found under {SiloProject}/bin/Release/");
    }

    private string Release(string project, string dll) => Path.Combine(paths.Root, project, "bin", "Release", "net10.0", dll);
}
