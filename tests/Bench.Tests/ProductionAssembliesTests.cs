using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Ledger.Bench.Tests;

/// <summary>
/// A silo built from Silo/ and a gateway built from Client.Api/ hold production code only: the benchmark's probe
/// grain and floor endpoints live in bench/ (Probes, Silo, Gateway), which only the benchmark's hosts load. Read
/// from the built assemblies' metadata, without loading them.
/// </summary>
public sealed class ProductionAssembliesTests
{
    /// <summary>The production assemblies, by the output folder of the host that carries them.</summary>
    private static readonly (string Host, string[] Assemblies)[] Hosts =
    [
        ("SiloOutput", ["Silo.dll", "Grains.dll", "Grains.Interfaces.dll"]),
        ("GatewayOutput", ["Client.Api.dll", "Grains.Interfaces.dll"]),
    ];

    public static TheoryData<string, string> ProductionAssemblies()
    {
        var data = new TheoryData<string, string>();
        foreach (var (host, assemblies) in Hosts)
        {
            foreach (var assembly in assemblies)
            {
                data.Add(host, assembly);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ProductionAssemblies))]
    public void A_production_assembly_has_no_bench_type_route_or_reference(string host, string assembly)
    {
        using var file = File.OpenRead(Path.Combine(OutputOf(host), assembly));
        using var pe = new PEReader(file);
        var metadata = pe.GetMetadataReader();

        var types = metadata.TypeDefinitions.Select(t => metadata.GetTypeDefinition(t))
            .Select(t => $"{metadata.GetString(t.Namespace)}.{metadata.GetString(t.Name)}");
        var references = metadata.AssemblyReferences.Select(r => metadata.GetString(metadata.GetAssemblyReference(r).Name));
        var strings = UserStrings(metadata);

        Assert.DoesNotContain(types, t => t.Contains("Bench", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(references, r => r.Contains("Bench", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(strings, s => s.Contains("/bench/", StringComparison.OrdinalIgnoreCase)
            || s.Contains("benchprobe", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("SiloOutput")]
    [InlineData("GatewayOutput")]
    public void A_production_host_is_built_without_any_bench_assembly(string host)
    {
        var assemblies = Directory.EnumerateFiles(OutputOf(host), "*.dll").Select(Path.GetFileName);

        Assert.Contains(Hosts.Single(h => h.Host == host).Assemblies[0], assemblies);
        Assert.DoesNotContain(assemblies, a => a!.StartsWith("Bench", StringComparison.OrdinalIgnoreCase));
    }

    private static string OutputOf(string host) =>
        typeof(ProductionAssembliesTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == host).Value!;

    private static List<string> UserStrings(MetadataReader metadata)
    {
        var strings = new List<string>();
        for (var handle = MetadataTokens.UserStringHandle(1); !handle.IsNil; handle = metadata.GetNextHandle(handle))
        {
            strings.Add(metadata.GetUserString(handle));
        }

        return strings;
    }
}
