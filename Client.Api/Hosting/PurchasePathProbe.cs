using System.Net;
using System.Text;
using System.Text.Json;
using Ledger.Client.Api.Auth;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Client.Api.Hosting;

/// <summary>
/// Sends requests through the gateway's own pipeline, in process, as a client would send them: a purchase with
/// a signed token (authentication, the JSON body, the citizen and program-month grains, problem details), and
/// at start also the refusals (no token, an unreadable body). It warms every path before the gateway says
/// ready, and readiness asks it again, so "ready" means "a purchase gets an answer" rather than "the process is
/// up". The purchase names a program-month in the past that no sale uses, so it buys nothing: the answer is a
/// 404 not-found (or 409 closed, should an operator ever give it a policy). The probe itself uses no socket and
/// the overload limit lets it pass (<see cref="IsProbe"/>); the request that asks for readiness does need a
/// connection, which the management port keeps free of the connection bound.
/// </summary>
public sealed class PurchasePathProbe(
    IConfiguration configuration, IServiceScopeFactory scopes, TimeProvider clock, ILogger<PurchasePathProbe> logger) : IHealthCheck
{
    public const string ProgramId = "ledger-probe";
    public const string Month = "2000-01";

    /// <summary>Each gateway probes as a citizen of its own, so that one busy citizen grain cannot fail them all.</summary>
    private readonly string citizenId = $"ledger-probe-{Guid.NewGuid():N}"[..25];

    /// <summary>A readiness answer is reused for this long: probes of readiness cost at most one purchase a period.</summary>
    public static readonly TimeSpan PeriodMin = TimeSpan.FromSeconds(1);

    /// <summary>A probe that takes longer than this counts as no answer.</summary>
    public static readonly TimeSpan AnswerTimeoutMax = TimeSpan.FromSeconds(5);

    private readonly Lock gate = new();
    private RequestDelegate? pipeline;
    private Task<HealthCheckResult>? latest;
    private DateTimeOffset latestAt;
    private volatile bool warm;

    /// <summary>Whether every path has run once: until then ledger calls are answered 503 (still starting).</summary>
    public bool IsWarm => warm;

    // A feature rather than an item: asking every request for it allocates nothing.
    public static bool IsProbe(HttpContext context) => context.Features.Get<ProbeMark>() is not null;

    /// <summary>Keeps the rest of the pipeline, to be sent requests through; put first.</summary>
    public RequestDelegate Capture(RequestDelegate next)
    {
        pipeline = next;
        return next;
    }

    /// <summary>Runs every path once; the gateway becomes warm when all of them answered as expected.</summary>
    public async Task<bool> WarmUpAsync(CancellationToken cancellationToken)
    {
        var answers = new List<ProbeAnswer>();
        foreach (var request in new[]
        {
            Purchase(Token(), """{"channel":"mobile","amount":10000}"""),
            Purchase(null, """{"channel":"mobile","amount":10000}"""),
            Purchase(Token(), """{"channel":"mobile","amount":"ten"}"""),
            new ProbeRequest("GET", StatePath, null, null),
        })
        {
            cancellationToken.ThrowIfCancellationRequested();
            answers.Add(await SendAsync(request, cancellationToken).WaitAsync(AnswerTimeoutMax, cancellationToken));
        }

        var expected = new[] { Answered(answers[0]), answers[1].Status == 401, answers[2].Status == 400, Answered(answers[3]) };
        if (expected.All(ok => ok))
        {
            warm = true;
            logger.LogInformation("Every request path has run once; the gateway is warm");
            return true;
        }

        logger.LogWarning("Warming up: answers {Answers} (expected a ledger answer, 401, 400, a ledger answer)", string.Join(", ", answers));
        return false;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!warm)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The gateway is still warming up."));
        }

        lock (gate)
        {
            var now = clock.GetUtcNow();
            if (latest is null || (latest.IsCompleted && now - latestAt >= PeriodMin))
            {
                latestAt = now;
                latest = ProbeAsync();
            }

            return latest;
        }
    }

    private async Task<HealthCheckResult> ProbeAsync()
    {
        using var timeout = new CancellationTokenSource(AnswerTimeoutMax);
        try
        {
            var answer = await SendAsync(Purchase(Token(), """{"channel":"mobile","amount":10000}"""), timeout.Token)
                .WaitAsync(timeout.Token);
            return Answered(answer)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"A purchase was answered {answer}.");
        }
        catch (OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"A purchase got no answer within {AnswerTimeoutMax.TotalSeconds} s.");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("A purchase failed.", e);
        }
    }

    // The ledger answered (not a framework's 404): the program-month is unknown, or closed. 503 is an answer
    // too, but not "ready".
    private static bool Answered(ProbeAnswer answer) => answer is (404, "not-found") or (409, "closed");

    private static string StatePath => $"/programs/{ProgramId}/months/{Month}";

    private static ProbeRequest Purchase(string? token, string body) => new("POST", StatePath + "/purchases", token, body);

    private string Token() => LedgerAuth.Mint(
        LedgerAuth.SigningKey(configuration), citizenId, [], clock.GetUtcNow().UtcDateTime, TimeSpan.FromMinutes(5));

    private async Task<ProbeAnswer> SendAsync(ProbeRequest request, CancellationToken cancellationToken)
    {
        var next = pipeline ?? throw new InvalidOperationException("The pipeline was not captured: call Capture first.");
        await using var scope = scopes.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Features.Set(ProbeMark.Instance);
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.RequestAborted = cancellationToken;
        context.Request.Method = request.Method;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("localhost");
        context.Request.Path = request.Path;
        context.Request.Headers[Apis.RequestChecks.IdempotencyKeyHeader] = Guid.NewGuid().ToString("N");
        if (request.Token is { } token)
        {
            context.Request.Headers.Authorization = "Bearer " + token;
        }

        if (request.Body is { } body)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.ContentType = "application/json";
            context.Request.ContentLength = bytes.Length;
            context.Request.Body = new MemoryStream(bytes);
            context.Features.Set<IHttpRequestBodyDetectionFeature>(new HasBody());
        }

        var answer = new MemoryStream();
        context.Response.Body = answer;
        await next(context);
        if (context.Response.StatusCode >= 500 || (context.Response.StatusCode == 400 && request.Body?.Contains("ten") != true))
        {
            logger.LogWarning("Probe {Method} {Path}: {Status} {Answer}", request.Method, request.Path,
                context.Response.StatusCode, Encoding.UTF8.GetString(answer.GetBuffer(), 0, (int)Math.Min(answer.Length, 1024)));
        }

        return new ProbeAnswer(context.Response.StatusCode, ProblemCode(answer));
    }

    private static string? ProblemCode(MemoryStream answer)
    {
        try
        {
            using var body = JsonDocument.Parse(answer.ToArray());
            return body.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record ProbeAnswer(int Status, string? Code)
    {
        public override string ToString() => Code is null ? $"{Status}" : $"{Status} {Code}";
    }

    private sealed class ProbeMark
    {
        public static readonly ProbeMark Instance = new();
    }

    private sealed class HasBody : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => true;
    }

    private sealed record ProbeRequest(string Method, string Path, string? Token, string? Body);
}
