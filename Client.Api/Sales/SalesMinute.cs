using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Client.Api.Sales;

/// <summary>The net amount sold on a channel of a program within one minute, from some of its entries.</summary>
public sealed record SalesMinute(string ProgramId, Channel Channel, DateTimeOffset Minute, long Amount, long LastSequence, long Entries);
