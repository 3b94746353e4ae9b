using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ledger.Client.Api.Auth;
using Ledger.Client.Api.Hosting;
using Ledger.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Ledger.Client.Api.Tests;

/// <summary>
/// Every 4xx and 5xx is problem details with one type per kind, also those Kestrel answers before any middleware
/// runs; on a real port, since the test server parses nothing itself.
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class EdgeProblemsTests(GatewayFixture fixture) : IAsyncLifetime
{
    private WebApplicationFactory<Program> gateway = null!;

    public Task InitializeAsync()
    {
        gateway = GatewayFixture.OnRealPort(fixture.With());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await gateway.DisposeAsync();

    public static TheoryData<string, int> Unparseable => new()
    {
        { "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + new string('a', 70_000) + "\r\n\r\n", 431 },
        { "GET /programs/a%00b/months/2026-12 HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
        { "POST /purchases/x/cancel HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello", 400 },
        { "GARBAGE\r\n\r\n", 400 },
    };

    [Theory]
    [MemberData(nameof(Unparseable))]
    public async Task What_kestrel_refuses_by_itself_is_problem_details_too(string request, int status)
    {
        var (head, body) = await SendRawAsync(request);

        Assert.StartsWith($"HTTP/1.1 {status} ", head, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Type: application/problem+json\r\n", head, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", head, StringComparison.Ordinal);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(($"urn:ledger:problem:http-{status}", status), (problem.GetProperty("type").GetString(), problem.GetProperty("status").GetInt32()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_one_kind_of_problem_whether_declared_or_streamed()
    {
        var client = gateway.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", fixture.Token("operator-q1", [LedgerAuth.AdminRole]));
        var json = "{\"channel\":\"mobile\",\"amount\":10000,\"pad\":\"" + new string('a', Program.BodyBytesMax) + "\"}";
        var declared = new StringContent(json, Encoding.UTF8, "application/json");
        // Without a length the body is sent chunked, and Kestrel cuts it off as it streams in.
        var streamed = new StringContent(json, Encoding.UTF8, "application/json");

        var types = new List<string?>();
        foreach (var content in new HttpContent[] { declared, streamed })
        {
            var request = new HttpRequestMessage(HttpMethod.Put, "/programs/too-large/months/2026-12") { Content = content };
            request.Headers.TransferEncodingChunked = content == streamed;
            // A declared body too large is refused before it is read: sent at once, the unread body could make the
            // closing connection reset under the answer. Asking first (100-continue), the client sends nothing.
            request.Headers.ExpectContinue = content == declared;
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            types.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        }

        Assert.Equal(["urn:ledger:problem:too-large", "urn:ledger:problem:too-large"], types);
    }

    [Fact]
    public void Only_the_bare_shape_of_kestrels_own_errors_is_rewritten()
    {
        const string Bare = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n" +
            "Date: Mon, 07 Dec 2026 06:56:56 GMT\r\nServer: Kestrel\r\n\r\n";
        var rewritten = ServerProblemBodies.Rewrite(Encoding.ASCII.GetBytes(Bare));

        Assert.NotNull(rewritten);
        Assert.Contains("Date: Mon, 07 Dec 2026 06:56:56 GMT\r\n", Encoding.ASCII.GetString(rewritten), StringComparison.Ordinal);
        // An answer of the application, a success, or a bare answer with other headers passes untouched.
        Assert.Null(ServerProblemBodies.Rewrite(Encoding.ASCII.GetBytes(Bare.Replace("400 Bad Request", "200 OK", StringComparison.Ordinal))));
        Assert.Null(ServerProblemBodies.Rewrite(Encoding.ASCII.GetBytes(
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/problem+json\r\nContent-Length: 0\r\nServer: Kestrel\r\n\r\n")));
        Assert.Null(ServerProblemBodies.Rewrite(Encoding.ASCII.GetBytes(Bare[..^2])));
    }

    private async Task<(string Head, string Body)> SendRawAsync(string request)
    {
        var address = gateway.ClientOptions.BaseAddress;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        // Kestrel closes the connection after these answers: read to the end.
        using var received = new MemoryStream();
        await stream.CopyToAsync(received);
        var text = Encoding.ASCII.GetString(received.ToArray());
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, $"No complete answer: {text}");
        return (text[..(end + 2)], text[(end + 4)..]);
    }
}
