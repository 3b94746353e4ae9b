using Ledger.Grains.Interfaces;
using Npgsql;

namespace Ledger.Grains;

/// <summary>
/// Turns a database failure inside a grain call into <see cref="LedgerUnavailableException"/>: Npgsql's
/// exceptions cannot cross a grain boundary, and callers only need to know that the ledger was unavailable.
/// The failure is found wherever it is: thrown as it is, or wrapped (Orleans' grain storage wraps it in an
/// exception of its own, a task may wrap it in an <see cref="AggregateException"/>), since a wrapped
/// Npgsql exception cannot be serialized either.
/// </summary>
public sealed class DatabaseExceptionFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (DatabaseFailure(e) is { } failure)
        {
            throw Unavailable(failure);
        }
    }

    /// <summary>
    /// The database failure behind an exception: the exception itself, one in its chain of inner
    /// exceptions, or one among an <see cref="AggregateException"/>'s inner exceptions; null if there is none.
    /// </summary>
    public static NpgsqlException? DatabaseFailure(Exception exception) => exception switch
    {
        NpgsqlException failure => failure,
        AggregateException aggregate => aggregate.InnerExceptions.Select(DatabaseFailure).FirstOrDefault(f => f is not null),
        { InnerException: { } inner } => DatabaseFailure(inner),
        _ => null,
    };

    /// <summary>What a caller is told of a database failure; it keeps the message, not the exception.</summary>
    public static LedgerUnavailableException Unavailable(NpgsqlException failure) =>
        new($"The ledger database failed: {failure.Message}");
}
