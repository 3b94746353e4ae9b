using Ledger.Grains.Interfaces;
using Ledger.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ledger.Grains.Payments;

/// <summary>
/// Each silo, every <see cref="PaymentOptions.Sweep"/>: wakes each program-month that has open holds (its
/// activation resumes every hold no one is resolving, wherever the silo that held them went), and delivers the
/// refunds owed. Two silos sweeping at once do no harm: a program-month has one activation, a hold one ending,
/// and a refund's transfer id moves money once.
/// </summary>
internal sealed partial class PaymentSweeper(
    IGrainFactory grains,
    PaymentStore store,
    IPaymentProvider provider,
    IOptions<PaymentOptions> options,
    [FromKeyedServices(LedgerClock.Key)] TimeProvider clock,
    ILogger<PaymentSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var courier = new RefundCourier(store, provider, options.Value, clock, logger);
        using var timer = new PeriodicTimer(options.Value.Sweep);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await WakeHoldersAsync(stoppingToken);
                await courier.DeliverAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogSweepFailed(logger, e);
            }
        }
    }

    private async Task WakeHoldersAsync(CancellationToken cancellationToken)
    {
        foreach (var programMonth in await store.ReadProgramMonthsWithOpenHoldsAsync(cancellationToken))
        {
            try
            {
                await grains.GetCityMonth(programMonth).ResolveHoldsAsync();
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogWakeFailed(logger, programMonth.Key, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A payment sweep failed; the next one tries again")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Waking program-month {Key} for its open holds failed: {Error}")]
    private static partial void LogWakeFailed(ILogger logger, string key, string error);
}
