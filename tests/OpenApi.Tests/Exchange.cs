using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Ledger.OpenApi.Tests;

/// <summary>
/// One request sent through a validating proxy and what came back: the status, the body (JSON when it is), the
/// headers, and what prism found wrong with either side.
/// </summary>
public sealed record Exchange(string Step, HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response, IReadOnlyList<string> Violations)
{
    /// <summary>Sends a request to <paramref name="proxy"/>: a JSON body if given, a bearer token and headers if given.</summary>
    public static async Task<Exchange> SendAsync(
        PrismProxy proxy, string step, HttpMethod method, string path, string? token = null, object? body = null,
        params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path)
        {
            Content = body switch
            {
                null => null,
                HttpContent content => content,
                _ => JsonContent.Create(body),
            },
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        using var client = proxy.Client(token);
        var response = await client.SendAsync(request);
        var violations = await PrismProxy.ViolationsAsync(response);
        var text = await response.Content.ReadAsStringAsync();
        var json = response.Content.Headers.ContentType?.MediaType is { } media && media.EndsWith("json", StringComparison.Ordinal)
            ? JsonDocument.Parse(text).RootElement.Clone()
            : JsonSerializer.SerializeToElement(text);
        return new Exchange(step, response.StatusCode, json, response, violations);
    }

    /// <summary>Nothing wrong on either side, and the gateway answered <paramref name="expected"/>.</summary>
    public Exchange Passes(HttpStatusCode expected)
    {
        Assert.True(Violations.Count == 0, $"{Step}: prism found {string.Join("; ", Violations)}\n{Body}");
        Assert.True(Status == expected, $"{Step}: {(int)Status} instead of {(int)expected}\n{Body}");
        return this;
    }

    /// <summary>
    /// The document does not allow the request (prism says so of the request) and the gateway refused it with
    /// <paramref name="expected"/>, in an answer the document allows (prism says nothing of the response).
    /// </summary>
    public Exchange IsRefusedByBoth(HttpStatusCode expected)
    {
        Assert.True(Violations.Any(v => v.StartsWith("request", StringComparison.Ordinal)), $"{Step}: the document allows this request\n{Body}");
        Assert.True(!Violations.Any(v => v.StartsWith("response", StringComparison.Ordinal)), $"{Step}: prism found {string.Join("; ", Violations)}");
        Assert.True(Status == expected, $"{Step}: {(int)Status} instead of {(int)expected}\n{Body}");
        return this;
    }

    public string Text(string property) => Body.GetProperty(property).GetString()!;
}
