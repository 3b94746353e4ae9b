using Ledger.Silo;

return await LedgerSiloHost.RunAsync(args);
