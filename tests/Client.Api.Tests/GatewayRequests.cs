using System.Net.Http.Json;

namespace Ledger.Client.Api.Tests;

/// <summary>Requests the gateway tests send often.</summary>
public static class GatewayRequests
{
    /// <summary>POSTs a purchase body with an Idempotency-Key.</summary>
    public static Task<HttpResponseMessage> BuyAsync(HttpClient client, string path, string key, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path + "/purchases") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }
}
