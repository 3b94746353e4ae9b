using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Client.Api.Hosting;

/// <summary>
/// A failure that .NET remembers for the life of the process (an assembly that failed to load, a type initializer
/// that threw) makes every later request on that path fail the same way: only a new process mends it. Such a
/// failure, once confirmed here (the load or the initializer fails again in this process: the exception may
/// also have come from a silo), stops the gateway with a failing exit code, so that its supervisor (Kubernetes,
/// systemd) starts a new one; until it has stopped, liveness and readiness say so. The request gets a 500.
/// </summary>
public sealed class CachedFailureHandler(GatewayStop stop, ILogger<CachedFailureHandler> logger)
    : IExceptionHandler, IHealthCheck
{
    /// <summary>The exit code of a gateway stopped by such a failure (EX_SOFTWARE).</summary>
    public const int ExitCode = 70;

    private volatile string? broken;

    public ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (broken is null && FailsAgainHere(exception) is { } cached)
        {
            broken = $"{cached.GetType().Name}: {cached.Message}";
            logger.LogCritical(exception, "A failure that lasts for the life of the process: stopping the gateway (exit code {ExitCode})", ExitCode);
            stop.Stop(ExitCode);
        }

        return ValueTask.FromResult(false);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(broken is { } reason
            ? HealthCheckResult.Unhealthy($"The gateway is stopping after a failure that lasts: {reason}")
            : HealthCheckResult.Healthy());

    /// <summary>The failure in <paramref name="exception"/>'s chain that fails again when tried here, if any.</summary>
    private static Exception? FailsAgainHere(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            var again = exception switch
            {
                FileNotFoundException { FileName: { } name } when AssemblyNamed(name) is { } assembly => Try(() => Assembly.Load(assembly)),
                FileLoadException { FileName: { } name } when AssemblyNamed(name) is { } assembly => Try(() => Assembly.Load(assembly)),
                TypeInitializationException { TypeName: { } name } when Type.GetType(name) is { } type =>
                    Try(() => RuntimeHelpers.RunClassConstructor(type.TypeHandle)),
                _ => null,
            };
            if (again is not null)
            {
                return again;
            }
        }

        return null;
    }

    // A file that is not an assembly (a path) is no load failure of the runtime's.
    private static AssemblyName? AssemblyNamed(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return new AssemblyName(name);
        }
        catch (Exception e) when (e is FileLoadException or ArgumentException)
        {
            return null;
        }
    }

    private static Exception? Try(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException or TypeInitializationException)
        {
            return e;
        }
    }
}
