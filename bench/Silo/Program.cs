using Ledger.Bench.Probes;
using Ledger.Silo;
using Orleans.Serialization;

// The silo the benchmark's floors run on: the real one, with the probe grain as one more part of the application.
return await LedgerSiloHost.RunAsync(args, silo =>
    silo.Services.AddSerializer(parts => parts.AddAssembly(typeof(BenchProbeGrain).Assembly)));
