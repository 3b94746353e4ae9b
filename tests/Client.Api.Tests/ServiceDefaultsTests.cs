using System.Text.RegularExpressions;
using Ledger.ServiceDefaults;
using Ledger.Testing;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ledger.Client.Api.Tests;

/// <summary>
/// The gateway takes its telemetry, metrics endpoint and JSON from Ledger.ServiceDefaults, as the silo does
/// (<c>SiloMetricsTests</c> reads the same resource line off a silo's metrics port).
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class ServiceDefaultsTests(GatewayFixture fixture)
{
    [Fact]
    public async Task The_gateway_reports_under_its_own_name_with_the_shared_json_through_the_service_defaults()
    {
        var telemetry = fixture.Gateway.Services.GetRequiredService<ServiceTelemetry>();
        var json = fixture.Gateway.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

        var metrics = await fixture.Anonymous().GetStringAsync(ServiceDefaultsExtensions.MetricsPath);

        Assert.Equal(GatewayTelemetry.ServiceName, telemetry.ServiceName);
        Assert.True(telemetry.MetricsEndpoint);
        Assert.Matches(TargetInfo(GatewayTelemetry.ServiceName), metrics);
        Assert.False(json.AllowDuplicateProperties);
        Assert.Single(json.Converters, c => c is StrictInstantConverter);
    }

    /// <summary>The resource line both hosts' Prometheus text starts with: the service's name, then its instance.</summary>
    private static Regex TargetInfo(string serviceName) =>
        new($"(?m)^target_info\\{{service_name=\"{Regex.Escape(serviceName)}\",service_instance_id=\"[0-9a-f-]{{36}}\",telemetry_sdk_name=\"opentelemetry\"");
}
