using System.Net;
using System.Reflection;
using Ledger.Client.Api.Hosting;
using Ledger.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ledger.Client.Api.Tests;

/// <summary>Readiness means "a purchase gets an answer", and a failure .NET caches does not go unnoticed.</summary>
[Collection(GatewayCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class GatewayReadinessTests(GatewayFixture fixture)
{
    private static readonly TimeSpan ChangeTimeoutMax = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_gateway_whose_purchases_fail_says_it_is_not_ready_though_cluster_and_database_answer()
    {
        var grains = new Breakable();
        await using var gateway = fixture.Gateway.WithWebHostBuilder(web => web.ConfigureServices(grains.Replace));
        var client = gateway.CreateClient();
        await UntilAsync(() => client.GetAsync("/health/ready"), r => r.StatusCode == HttpStatusCode.OK);

        grains.Broken = true;
        var ready = await UntilAsync(() => client.GetAsync("/health/ready"), r => r.StatusCode != HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("purchase-path (A purchase was answered 500.)", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        grains.Broken = false;
        await UntilAsync(() => client.GetAsync("/health/ready"), r => r.StatusCode == HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_load_failure_that_does_not_fail_again_here_does_not_stop_the_gateway()
    {
        // As a silo's exception relayed to the gateway would be: the gateway itself loads the assembly fine.
        await using var gateway = fixture.Gateway.WithWebHostBuilder(web => web.ConfigureServices(services =>
            services.AddTransient<IStartupFilter>(_ => new FailsToLoadAnAssembly(typeof(System.Text.Json.JsonDocument).Assembly.FullName!))));
        var client = gateway.CreateClient();
        var lifetime = gateway.Services.GetRequiredService<IHostApplicationLifetime>();

        var failed = await client.GetAsync(FailsToLoadAnAssembly.Path);

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task A_failed_assembly_load_stops_the_gateway_and_fails_liveness_and_readiness()
    {
        // The stop is recorded rather than carried out: a test host torn down mid-assertion answers 500.
        var stop = new RecordedStop();
        await using var gateway = fixture.Gateway.WithWebHostBuilder(web => web.ConfigureServices(services =>
        {
            services.AddTransient<IStartupFilter>(_ => new FailsToLoadAnAssembly("Ledger.Gone, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"));
            services.AddSingleton<GatewayStop>(stop);
        }));
        var client = gateway.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);

        var failed = await client.GetAsync(FailsToLoadAnAssembly.Path);

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal([CachedFailureHandler.ExitCode], stop.ExitCodes);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
    }

    private static async Task<HttpResponseMessage> UntilAsync(Func<Task<HttpResponseMessage>> ask, Func<HttpResponseMessage, bool> done)
    {
        using var timeout = new CancellationTokenSource(ChangeTimeoutMax);
        while (true)
        {
            var answer = await ask();
            if (done(answer))
            {
                return answer;
            }

            await Task.Delay(PurchasePathProbe.PeriodMin / 4, timeout.Token);
        }
    }

    /// <summary>A stop that is recorded, not carried out.</summary>
    private sealed class RecordedStop() : GatewayStop(new Microsoft.Extensions.Hosting.Internal.ApplicationLifetime(
        Microsoft.Extensions.Logging.Abstractions.NullLogger<Microsoft.Extensions.Hosting.Internal.ApplicationLifetime>.Instance))
    {
        public List<int> ExitCodes { get; } = [];

        public override void Stop(int exitCode) => ExitCodes.Add(exitCode);
    }

    /// <summary>A path past every endpoint whose use fails as the load of <paramref name="assembly"/> did.</summary>
    private sealed class FailsToLoadAnAssembly(string assembly) : IStartupFilter
    {
        public const string Path = "/test/loads-an-assembly";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Run(context => context.Request.Path == Path
                ? throw new FileNotFoundException($"Could not load file or assembly '{assembly}'. Too many open files.", assembly)
                : Task.CompletedTask);
        };
    }

    /// <summary>The gateway's grain factory, failing every call while <see cref="Broken"/>.</summary>
    public class Breakable : DispatchProxy
    {
        private IGrainFactory? inner;
        private Breakable? owner;

        public volatile bool Broken;

        /// <summary>Puts this in front of the registered grain factory.</summary>
        public void Replace(IServiceCollection services)
        {
            var registered = services.Last(d => d.ServiceType == typeof(IGrainFactory));
            services.Remove(registered);
            services.AddSingleton(provider => Wrap((IGrainFactory)(registered.ImplementationInstance
                ?? registered.ImplementationFactory?.Invoke(provider)
                ?? ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!))));
        }

        private IGrainFactory Wrap(IGrainFactory grains)
        {
            var proxy = Create<IGrainFactory, Breakable>();
            var breakable = (Breakable)(object)proxy;
            breakable.inner = grains;
            breakable.owner = this;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args) =>
            owner!.Broken
                ? throw new InvalidOperationException("The grain factory is broken for this test.")
                : method!.Invoke(inner, args);
    }
}
