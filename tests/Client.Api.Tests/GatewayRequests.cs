using System.Net.Http.Json;
using Ledger.Grains.Tests;

namespace Ledger.Client.Api.Tests;

/// <summary>Requests the gateway tests send often.</summary>
public static class GatewayRequests
{
    /// <summary>The program-month's resource path, <c>/programs/{id}/months/{yyyy-MM}</c>.</summary>
    public static string PathOf(Grains.Interfaces.ProgramMonth programMonth) =>
        $"/programs/{programMonth.ProgramId}/months/{programMonth.Month}";

    /// <summary>A policy body opening at <paramref name="opensAt"/>: 10% off, 200,000 won a month in units of 10,000.</summary>
    public static object Policy(DateTimeOffset opensAt, long mobileCap = 1_000_000) => new
    {
        opensAt,
        discountBps = 1_000,
        citizenMonthlyLimit = Scenario.Limit,
        unit = Scenario.Unit,
        caps = new { mobile = mobileCap, paper = 500_000L },
    };

    /// <summary>How long <see cref="BuyUntilAnsweredAsync"/> keeps coming back.</summary>
    public static readonly TimeSpan QueuedTimeMax = TimeSpan.FromSeconds(60);

    /// <summary>
    /// POSTs a purchase as an app does: while it is queued (429), again after Retry-After with the Queue-Ticket
    /// it was given, until another answer.
    /// </summary>
    public static async Task<HttpResponseMessage> BuyUntilAnsweredAsync(HttpClient client, string path, string key, object body)
    {
        var deadline = DateTime.UtcNow + QueuedTimeMax;
        string? ticket = null;
        while (true)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path + "/purchases") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", key);
            if (ticket is not null)
            {
                request.Headers.Add("Queue-Ticket", ticket);
            }

            var response = await client.SendAsync(request);
            if (response.StatusCode != System.Net.HttpStatusCode.TooManyRequests || DateTime.UtcNow > deadline)
            {
                return response;
            }

            ticket = response.Headers.GetValues("Queue-Ticket").Single();
            await Task.Delay(response.Headers.RetryAfter!.Delta!.Value);
        }
    }

    /// <summary>POSTs a purchase body with an Idempotency-Key.</summary>
    public static Task<HttpResponseMessage> BuyAsync(HttpClient client, string path, string key, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path + "/purchases") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }
}
