using Ledger.Grains.Interfaces;
using Npgsql;

namespace Ledger.Grains;

/// <summary>
/// Turns a database failure inside a grain call into <see cref="LedgerUnavailableException"/>: Npgsql's
/// exceptions cannot cross a grain boundary, and callers only need to know that the ledger was unavailable.
/// </summary>
public sealed class DatabaseExceptionFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (NpgsqlException e)
        {
            throw new LedgerUnavailableException($"The ledger database failed: {e.Message}");
        }
    }
}
