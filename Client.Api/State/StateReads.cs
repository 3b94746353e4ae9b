using Ledger.Grains.Interfaces;

namespace Ledger.Client.Api.State;

/// <summary>
/// Reads of a program-month's live state that arrive while another read of it is in flight share one grain
/// call: on the morning of a sale every buyer polls the same few program-months, and each read would
/// otherwise cost a round trip to the silo. The call in flight may have passed the grain before a newcomer
/// arrived, so newcomers share the next call, started once it ends: every answer is read after its request
/// arrived (a buyer who was told "confirmed" and then polls sees their purchase), at the cost of waiting
/// for at most one read in flight. Only program-months with a read in flight are tracked.
/// </summary>
public sealed class StateReads(Func<ProgramMonth, Task<CityMonthSnapshot?>> read)
{
    private readonly Dictionary<ProgramMonth, Flight> flights = [];

    public StateReads(IGrainFactory grains)
        : this(programMonth => grains.GetCityMonth(programMonth).GetSnapshotAsync())
    {
    }

    /// <summary>Program-months with a read in flight; for tests.</summary>
    internal int InFlight
    {
        get
        {
            lock (flights)
            {
                return flights.Count;
            }
        }
    }

    /// <summary>The program-month's state as read after this call began; null when it has no policy.</summary>
    public Task<CityMonthSnapshot?> ReadAsync(ProgramMonth programMonth)
    {
        Flight flight;
        lock (flights)
        {
            if (flights.TryGetValue(programMonth, out var inFlight))
            {
                return inFlight.Next ??= ReadNextAsync(programMonth, inFlight);
            }

            flights[programMonth] = flight = new Flight();
        }

        // The grain call is made outside the lock, which every program-month's reads share.
        var call = flight.Current;
        _ = CallAsync(programMonth, flight, call);
        return call.Task;
    }

    private async Task<CityMonthSnapshot?> ReadNextAsync(ProgramMonth programMonth, Flight flight)
    {
        // The read in flight answers (or fails) its own callers; this one starts when it is over.
        await ((Task)flight.Current.Task).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var call = NewCall();
        lock (flights)
        {
            flight.Next = null;
            flight.Current = call;
        }

        _ = CallAsync(programMonth, flight, call);
        return await call.Task;
    }

    /// <summary>
    /// Makes the grain call and answers its callers. Under the lock, so that a newcomer either finds the
    /// flight with its call unanswered or does not find it: either nobody waits for a next call and the
    /// flight is forgotten, or someone does and it stays for that call.
    /// </summary>
    private async Task CallAsync(ProgramMonth programMonth, Flight flight, TaskCompletionSource<CityMonthSnapshot?> call)
    {
        CityMonthSnapshot? snapshot = null;
        Exception? failure = null;
        try
        {
            snapshot = await read(programMonth);
        }
        catch (Exception e)
        {
            failure = e;
        }

        lock (flights)
        {
            if (flight.Next is null && flights.GetValueOrDefault(programMonth) == flight)
            {
                flights.Remove(programMonth);
            }

            // Continuations run asynchronously (NewCall), so none runs under the lock.
            if (failure is null)
            {
                call.SetResult(snapshot);
            }
            else
            {
                call.SetException(failure);
            }
        }
    }

    private static TaskCompletionSource<CityMonthSnapshot?> NewCall() =>
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The read of one program-month in flight, and the one its newcomers wait for.</summary>
    private sealed class Flight
    {
        public TaskCompletionSource<CityMonthSnapshot?> Current { get; set; } = NewCall();

        public Task<CityMonthSnapshot?>? Next { get; set; }
    }
}
