namespace Ledger.Client.Api.Queue;

/// <summary>Steps <see cref="WaitingRooms"/> every <see cref="WaitingRooms.Step"/> for as long as the gateway runs.</summary>
public sealed class WaitingRoomTicker(WaitingRooms rooms) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(WaitingRooms.Step);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await rooms.StepAsync();
        }
    }
}
