using Ledger.Silo;

await LedgerSiloHost.RunAsync(args);
