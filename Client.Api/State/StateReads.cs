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

    /// <summary>The program-month's state as read after this call began; null when it has no policy.</summary>
    public Task<CityMonthSnapshot?> ReadAsync(ProgramMonth programMonth)
    {
        lock (flights)
        {
            if (flights.TryGetValue(programMonth, out var flight))
            {
                return flight.Next ??= ReadNextAsync(programMonth, flight);
            }

            flights[programMonth] = flight = new Flight();
            return flight.Current = CallAsync(programMonth, flight);
        }
    }

    private async Task<CityMonthSnapshot?> ReadNextAsync(ProgramMonth programMonth, Flight flight)
    {
        // The read in flight answers (or fails) its own callers; this one starts when it is over.
        await ((Task)flight.Current!).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Task<CityMonthSnapshot?> call;
        lock (flights)
        {
            flight.Next = null;
            flight.Current = call = CallAsync(programMonth, flight);
        }

        return await call;
    }

    private async Task<CityMonthSnapshot?> CallAsync(ProgramMonth programMonth, Flight flight)
    {
        try
        {
            return await read(programMonth);
        }
        finally
        {
            lock (flights)
            {
                if (flight.Next is null)
                {
                    flights.Remove(programMonth);
                }
            }
        }
    }

    /// <summary>The read of one program-month in flight, and the one its newcomers wait for.</summary>
    private sealed class Flight
    {
        public Task<CityMonthSnapshot?>? Current { get; set; }

        public Task<CityMonthSnapshot?>? Next { get; set; }
    }
}
