using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;

namespace Ledger.Client.Api.Tests;

/// <summary>The real gateway binary, started as ./ledger up starts it, when no silo is reachable.</summary>
public sealed class GatewayProcessTests
{
    private static readonly TimeSpan ListeningTimeoutMax = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_gateway_with_no_silo_to_reach_serves_503_with_retry_after_instead_of_refusing_or_hanging()
    {
        var port = FreePort();
        var gatewayPath = typeof(GatewayProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "GatewayPath").Value!;
        var start = new ProcessStartInfo("dotnet", [gatewayPath, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["Ledger__Auth__SigningKey"] = Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray());
        // A gateway list naming a port where no silo listens.
        start.Environment["Ledger__Cluster__Gateways"] = $"127.0.0.1:{FreePort()}";
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var gateway = Process.Start(start)!;
        gateway.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Now listening on", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        gateway.BeginOutputReadLine();
        gateway.BeginErrorReadLine();
        try
        {
            await listening.Task.WaitAsync(ListeningTimeoutMax);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };

            var state = await http.GetAsync("/programs/chuncheon/months/2022-12");
            var live = await http.GetAsync("/health/live");
            var ready = await http.GetAsync("/health/ready");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, state.StatusCode);
            Assert.NotNull(state.Headers.RetryAfter);
            Assert.Equal("unavailable", (await state.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }
        finally
        {
            gateway.Kill(entireProcessTree: true);
            await gateway.WaitForExitAsync();
        }
    }

    private static int FreePort() => Ledger.Grains.Tests.TestPorts.Free();
}
