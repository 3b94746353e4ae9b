namespace Ledger.Grains.Interfaces;

/// <summary>
/// The waiting room of one program-month, keyed like its city-month grain (<see cref="ProgramMonth.Key"/>).
/// It numbers tickets in the order their claims reach it, from every gateway, and admits them in that order
/// at a rate it adapts from what the gateways measure. Gateways check tickets themselves against the
/// <see cref="WaitingRoomView"/> they last fetched, so a ticket not yet admitted costs no call here.
/// </summary>
[Alias("Ledger.IWaitingRoomGrain")]
public interface IWaitingRoomGrain : IGrainWithStringKey
{
    /// <summary>
    /// A place for each claim, in order: the citizen's place if they already hold a live one, else a new one at
    /// the back; a pre-queue claim before its opening gets a random draw instead of a number.
    /// </summary>
    [Alias("Take")]
    Task<TicketGrant[]> TakeAsync(TicketClaim[] claims);

    /// <summary>A gateway's measurements and the tickets it answered since its last report; the room as it stands.</summary>
    [Alias("Report")]
    Task<WaitingRoomView> ReportAsync(WaitingRoomReport report);

    /// <summary>The room as it stands, for those who only watch (the sales page): nothing is reported or admitted.</summary>
    [Alias("GetView")]
    Task<WaitingRoomView> GetViewAsync();

    /// <summary>The pre-queue of an opening in its shuffled order once the opening has passed; null before it or when there was none.</summary>
    [Alias("GetPreQueueOrder")]
    Task<PreQueueOrder?> GetPreQueueOrderAsync(DateTimeOffset opening);
}
