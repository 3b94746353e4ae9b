using System.Text.Json;

namespace Ledger.Bench;

/// <summary>
/// The waiting room's side of an answer, as API.md has it: when to come back (<c>Retry-After</c>), the ticket to
/// bring (<c>Queue-Ticket</c>), and the place the problem body names (<c>position</c>, null in a pre-queue).
/// Shared by the keep-alive driver and the storm's phones, so both read a queued answer alike.
/// </summary>
public static class QueueHeaders
{
    public const string Ticket = "Queue-Ticket";

    public static TimeSpan? RetryAfterOf(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta < TimeSpan.Zero ? TimeSpan.Zero : delta,
        { Date: { } date } => date > DateTimeOffset.UtcNow ? date - DateTimeOffset.UtcNow : TimeSpan.Zero,
        _ => null,
    };

    public static string? TicketOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues(Ticket, out var tickets) ? tickets.FirstOrDefault() : null;

    /// <summary>The queued answer's <c>position</c>; null when the body names none (a pre-queue, not queued, not JSON).</summary>
    public static long? PositionOf(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("position", out var position)
                && position.ValueKind == JsonValueKind.Number && position.TryGetInt64(out var place)
                ? place
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
