using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Client.Api.Hosting;

/// <summary>
/// A failure that .NET remembers for the life of the process (an assembly or type that failed to load, a type
/// initializer that threw) makes every later request on that path fail the same way: only a new process mends
/// it. Such a failure stops the gateway with a failing exit code, so that its supervisor (Kubernetes, systemd)
/// starts a new one; until it has stopped, liveness and readiness say so. The request itself still gets a 500.
/// </summary>
public sealed class CachedFailureHandler(IHostApplicationLifetime lifetime, ILogger<CachedFailureHandler> logger)
    : IExceptionHandler, IHealthCheck
{
    /// <summary>The exit code of a gateway stopped by such a failure (EX_SOFTWARE).</summary>
    public const int ExitCode = 70;

    private volatile string? broken;

    public ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (IsCached(exception) && broken is null)
        {
            broken = $"{exception.GetType().Name}: {exception.Message}";
            logger.LogCritical(exception, "A failure that lasts for the life of the process: stopping the gateway (exit code {ExitCode})", ExitCode);
            Environment.ExitCode = ExitCode;
            lifetime.StopApplication();
        }

        return ValueTask.FromResult(false);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(broken is { } reason
            ? HealthCheckResult.Unhealthy($"The gateway is stopping after a failure that lasts: {reason}")
            : HealthCheckResult.Healthy());

    private static bool IsCached(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is FileNotFoundException or FileLoadException or BadImageFormatException or TypeLoadException
                or TypeInitializationException or MissingMemberException)
            {
                return true;
            }
        }

        return false;
    }
}
