using Ledger.Client.Api.State;

namespace Ledger.Client.Api.Queue;

public static class WaitingRoomExtensions
{
    /// <summary>
    /// The key of the clock that says when tickets expire and sales open, if registered (tests register the
    /// ledger's); otherwise the system's.
    /// </summary>
    public const string ClockKey = "ledger";

    /// <summary>The waiting room: tickets, the ledger's flow, the rooms in use and their reporting.</summary>
    public static IServiceCollection AddWaitingRoom(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<QueueTickets>();
        services.AddSingleton(new PurchaseFlow(Math.Max(1, configuration.GetValue(PurchaseFlow.LimitSetting, PurchaseFlow.LimitDefault))));
        services.AddSingleton<WaitingRooms>();
        services.AddSingleton(services => new WaitingRoomDesk(
            services.GetRequiredService<WaitingRooms>(), services.GetRequiredService<PurchaseFlow>(),
            services.GetRequiredService<QueueTickets>(), services.GetRequiredService<StateReads>(),
            services.GetKeyedService<TimeProvider>(ClockKey) ?? TimeProvider.System,
            configuration.GetValue(WaitingRoomDesk.AlwaysQueueSetting, false)));
        services.AddHostedService<WaitingRoomTicker>();
        return services;
    }
}
