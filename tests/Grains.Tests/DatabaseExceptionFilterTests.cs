using Npgsql;

namespace Ledger.Grains.Tests;

public sealed class DatabaseExceptionFilterTests
{
    private static readonly NpgsqlException Failure = new("Exception while reading from stream");

    [Fact]
    public void A_database_failure_is_found_however_deeply_it_is_wrapped()
    {
        Assert.Same(Failure, DatabaseExceptionFilter.DatabaseFailure(Failure));
        Assert.Same(Failure, DatabaseExceptionFilter.DatabaseFailure(
            new OrleansException("Error from storage provider", new InvalidOperationException("Write failed", Failure))));
        Assert.Same(Failure, DatabaseExceptionFilter.DatabaseFailure(
            new AggregateException(new TimeoutException(), new OrleansException("Error from storage provider", Failure))));
        Assert.Same(Failure, DatabaseExceptionFilter.DatabaseFailure(
            new InvalidOperationException("Outer", new AggregateException(new AggregateException(Failure)))));
    }

    [Fact]
    public void An_exception_without_a_database_failure_is_left_alone()
    {
        Assert.Null(DatabaseExceptionFilter.DatabaseFailure(new InvalidOperationException("A bug", new TimeoutException())));
        Assert.Null(DatabaseExceptionFilter.DatabaseFailure(new AggregateException(new TimeoutException(), new ArgumentException())));
    }

    [Fact]
    public void The_caller_is_told_the_database_failed_without_Npgsql_exception_itself()
    {
        var unavailable = DatabaseExceptionFilter.Unavailable(Failure);

        Assert.Equal("The ledger database failed: Exception while reading from stream", unavailable.Message);
        Assert.Null(unavailable.InnerException);
    }
}
