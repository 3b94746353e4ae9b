using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Ledger.OpenApi.Tests;

/// <summary>
/// Stoplight's Prism as a validating proxy (<c>prism proxy DOCUMENT UPSTREAM</c>) in front of a gateway: it checks each
/// request and each answer against the OpenAPI document. With <c>errors</c> (<c>--errors</c>) it refuses a request the
/// document does not allow (its own 401 or 422) and replaces an answer the document does not allow by its own 500;
/// without, it passes everything through and names what it found in the <c>sl-violations</c> header.
/// </summary>
public sealed class PrismProxy : IAsyncDisposable
{
    private const string ListeningLine = "Prism is listening on";
    private const string OwnProblemPrefix = "https://stoplight.io/prism/errors";
    private static readonly TimeSpan StartTimeMax = TimeSpan.FromSeconds(90);

    private readonly Process process;
    private readonly StringBuilder output = new();

    private PrismProxy(Process process, Uri url)
    {
        this.process = process;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<PrismProxy> StartAsync(string document, Uri upstream, bool errors)
    {
        var port = Ledger.Grains.Tests.TestPorts.Free();
        string[] arguments =
        [
            "proxy", document, upstream.ToString().TrimEnd('/'),
            "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. errors ? new[] { "--errors" } : [],
        ];
        var process = NodeTools.Start(NodeTools.InClient("node_modules", ".bin", "prism"), arguments);
        var prism = new PrismProxy(process, new Uri($"http://127.0.0.1:{port}"));
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Read(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (prism.output)
            {
                prism.output.AppendLine(line);
            }

            if (line.Contains(ListeningLine, StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        }

        process.OutputDataReceived += (_, e) => Read(e.Data);
        process.ErrorDataReceived += (_, e) => Read(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"prism exited:\n{prism.Output}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await listening.Task.WaitAsync(StartTimeMax);
        }
        catch (TimeoutException)
        {
            await prism.DisposeAsync();
            throw new TimeoutException($"prism did not listen within {StartTimeMax}:\n{prism.Output}");
        }

        return prism;
    }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>A client of the gateway through this proxy, with <paramref name="token"/> as its bearer token if given.</summary>
    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>
    /// What prism found wrong with the exchange, each as <c>location: message</c> (the location starts with
    /// <c>request</c> or <c>response</c>): from the <c>sl-violations</c> header, or from prism's own refusal.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ViolationsAsync(HttpResponseMessage response)
    {
        var found = new List<string>();
        if (response.Headers.TryGetValues("sl-violations", out var headers))
        {
            foreach (var header in headers)
            {
                found.AddRange(Describe(JsonDocument.Parse(header).RootElement));
            }
        }

        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            if (body.RootElement.TryGetProperty("type", out var type) && type.GetString()?.StartsWith(OwnProblemPrefix, StringComparison.Ordinal) == true)
            {
                found.Add($"prism: {body.RootElement.GetProperty("title").GetString()}");
                if (body.RootElement.TryGetProperty("validation", out var validation))
                {
                    found.AddRange(Describe(validation));
                }
            }
        }

        return found;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
    }

    private static IEnumerable<string> Describe(JsonElement violations) =>
        violations.EnumerateArray().Select(v =>
            string.Join('.', v.GetProperty("location").EnumerateArray().Select(l => l.ToString())) + ": " + v.GetProperty("message").GetString());
}
