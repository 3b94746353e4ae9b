using System.Net.Http.Json;

namespace Ledger.Client.Api.Tests;

/// <summary>Requests the gateway tests send often.</summary>
public static class GatewayRequests
{
    /// <summary>The program-month's resource path, <c>/programs/{id}/months/{yyyy-MM}</c>.</summary>
    public static string PathOf(Grains.Interfaces.ProgramMonth programMonth) =>
        $"/programs/{programMonth.ProgramId}/months/{programMonth.Month}";

    /// <summary>POSTs a purchase body with an Idempotency-Key.</summary>
    public static Task<HttpResponseMessage> BuyAsync(HttpClient client, string path, string key, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path + "/purchases") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }
}
