using System.Net.Http.Headers;
using Ledger.Grains.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Ledger.Grains.Payments;

public static class PaymentServices
{
    /// <summary>
    /// Registers the provider client (<see cref="PaymentOptions"/> from <paramref name="configuration"/>'s
    /// <c>Ledger:Payments</c>), the payment store and the sweeper. A withdrawal gets one attempt with a timeout:
    /// on no answer the payment desk inquires instead. Deposits and inquiries are safe to repeat, so they are
    /// retried with exponential backoff and jitter on transient failures.
    /// </summary>
    public static IServiceCollection AddLedgerPayments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PaymentOptions>().Bind(configuration.GetSection(PaymentOptions.Section));
        services.AddHttpClient(OpenBankingProvider.WithdrawClient, Configure)
            .AddResilienceHandler("payments-withdraw", (pipeline, context) =>
                pipeline.AddTimeout(context.GetOptions<PaymentOptions>().AttemptTimeout));
        services.AddHttpClient(OpenBankingProvider.RepeatableClient, Configure)
            .AddResilienceHandler("payments-repeatable", (pipeline, context) =>
            {
                var options = context.GetOptions<PaymentOptions>();
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = 3,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(200),
                });
                pipeline.AddTimeout(options.AttemptTimeout);
            });
        services.TryAddSingleton<IPaymentProvider, OpenBankingProvider>();
        services.AddSingleton<PaymentStore>();
        services.AddHostedService<PaymentSweeper>();
        return services;
    }

    private static void Configure(IServiceProvider services, HttpClient client)
    {
        var options = services.GetRequiredService<IOptions<PaymentOptions>>().Value;
        client.BaseAddress = new Uri(options.BaseUrl.TrimEnd('/') + "/");
        // The resilience handler's timeouts govern; the client's own would cut a retried call short.
        client.Timeout = Timeout.InfiniteTimeSpan;
        if (!string.IsNullOrEmpty(options.AccessToken))
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.AccessToken);
        }
    }
}
