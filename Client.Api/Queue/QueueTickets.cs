using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ledger.Client.Api.Auth;
using Ledger.Grains.Interfaces;

namespace Ledger.Client.Api.Queue;

/// <summary>
/// Signs and checks queue tickets with a key derived from the token signing key, which every gateway
/// shares: a ticket is self-contained, so any gateway checks one without asking anyone. A ticket that is
/// malformed, forged, expired, or for another citizen or program-month reads as none.
/// </summary>
public sealed class QueueTickets(IConfiguration configuration)
{
    public const string Header = "Queue-Ticket";

    /// <summary>A header longer than this is not a ticket (ids are short; this bounds the work of reading one).</summary>
    public const int LengthMax = 512;

    private const string Version = "1";
    private const int MacBytes = 16;

    private readonly byte[] key = HMACSHA256.HashData(
        LedgerAuth.SigningKey(configuration).Key, Encoding.ASCII.GetBytes("ledger queue-ticket"));

    public string Write(QueueTicket ticket)
    {
        var payload = Encoding.ASCII.GetBytes(string.Join('|',
            Version, ticket.ProgramMonth.Key, ticket.CitizenId, Text(ticket.Number), Text(ticket.Opening?.UtcTicks),
            Text(ticket.Place.Draw), Text(ticket.IssuedAt.UtcTicks), Text(ticket.ExpiresAt.UtcTicks)));
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(Mac(payload));
    }

    /// <summary>The ticket in <paramref name="header"/> if it is genuine, live and this citizen's for this program-month.</summary>
    public QueueTicket? Read(string? header, ProgramMonth programMonth, string citizenId, DateTimeOffset now)
    {
        if (header is null || header.Length > LengthMax || header.Split('.') is not [var payloadText, var macText])
        {
            return null;
        }

        byte[] payload, mac;
        try
        {
            (payload, mac) = (Base64Url.DecodeFromChars(payloadText), Base64Url.DecodeFromChars(macText));
        }
        catch (FormatException)
        {
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(mac, Mac(payload)))
        {
            return null;
        }

        var fields = Encoding.ASCII.GetString(payload).Split('|');
        if (fields is not [Version, var key, var citizen, var number, var opening, var draw, var issued, var expires]
            || key != programMonth.Key || citizen != citizenId)
        {
            return null;
        }

        var ticket = new QueueTicket(
            programMonth, citizen,
            new TicketGrant(Long(number), Long(opening) is { } ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null, Long(draw) ?? 0),
            At(issued), At(expires));
        return ticket.ExpiresAt >= now && (ticket.Number is not null || ticket.Opening is not null) ? ticket : null;
    }

    private byte[] Mac(byte[] payload) => HMACSHA256.HashData(key, payload)[..MacBytes];

    private static string Text(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static long? Long(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static DateTimeOffset At(string text) =>
        Long(text) is { } ticks && ticks is >= 0 && ticks <= DateTimeOffset.MaxValue.UtcTicks
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : DateTimeOffset.MinValue;
}
