namespace Ledger.Client.Api.Hosting;

/// <summary>
/// Warms every request path once the gateway listens and has joined the cluster, before the host reports that it
/// has started: until then ledger calls are answered 503 (still starting) and readiness says not ready. If the
/// ledger cannot answer yet (its database is down, say), the start goes on and warming goes on in the background.
/// </summary>
public sealed class WarmUp(PurchasePathProbe probe, ILogger<WarmUp> logger) : IHostedLifecycleService
{
    /// <summary>How long the start waits for a warm gateway before it goes on and keeps trying in the background.</summary>
    public static readonly TimeSpan StartWaitMax = TimeSpan.FromSeconds(15);

    public static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource stopping = new();
    private Task warming = Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        warming = WarmAsync(stopping.Token);
        try
        {
            await warming.WaitAsync(StartWaitMax, cancellationToken);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("Not warm after {Seconds} s; purchases are answered 503 until it is", StartWaitMax.TotalSeconds);
        }
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        try
        {
            await warming.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping goes on; the warming request in flight ends with the process.
        }
    }

    private async Task WarmAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (await probe.WarmUpAsync(cancellationToken))
                {
                    return;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Warming up failed; trying again");
            }

            await Task.Delay(RetryPeriod, cancellationToken);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
