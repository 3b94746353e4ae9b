using System.Runtime.CompilerServices;

namespace Ledger.Grains.Interfaces;

/// <summary>
/// References to the ledger's grains, for callers on hot paths. Orleans' <c>GetGrain&lt;T&gt;(key)</c>
/// resolves the interface's type by reflection on every call: 12% of the CPU of the benchmark's citizen
/// path. These resolve it once per interface and build each reference from the grain id directly. The grain
/// types are the classes' own (<c>[GrainType]</c>), so both ways reach the same grain.
/// </summary>
public static class LedgerGrains
{
    public const string CitizenGrainType = "citizen";

    public const string CityMonthGrainType = "citymonth";

    public const string WaitingRoomGrainType = "waitingroom";

    private static readonly GrainType Citizen = GrainType.Create(CitizenGrainType);

    private static readonly GrainType CityMonth = GrainType.Create(CityMonthGrainType);

    private static readonly GrainType WaitingRoom = GrainType.Create(WaitingRoomGrainType);

    public static ICitizenGrain GetCitizen(this IGrainFactory grains, string citizenId) =>
        Get<ICitizenGrain>(grains, Citizen, citizenId);

    public static ICityMonthGrain GetCityMonth(this IGrainFactory grains, ProgramMonth programMonth) =>
        Get<ICityMonthGrain>(grains, CityMonth, programMonth.Key);

    public static IWaitingRoomGrain GetWaitingRoom(this IGrainFactory grains, ProgramMonth programMonth) =>
        Get<IWaitingRoomGrain>(grains, WaitingRoom, programMonth.Key);

    /// <summary>
    /// The grain of <paramref name="type"/> keyed <paramref name="key"/>, its interface type resolved once per
    /// <typeparamref name="T"/>.
    /// </summary>
    public static T Get<T>(IGrainFactory grains, GrainType type, string key)
        where T : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var interfaceType = InterfaceOf<T>.Type ??= new(((GrainReference)(object)grains.GetGrain<T>(key)).InterfaceType);
        return (T)grains.GetGrain(GrainId.Create(type, key), interfaceType.Value);
    }

    /// <summary>The interface's Orleans type, once known (a box, so it is published whole).</summary>
    private static class InterfaceOf<T>
    {
        public static StrongBox<GrainInterfaceType>? Type;
    }
}
