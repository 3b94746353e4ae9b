using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Ledger.Client.Api.Apis;
using Ledger.Client.Api.Auth;
using Ledger.Grains;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Tests;
using Ledger.Testing;
using Orleans.Diagnostics;

namespace Ledger.Client.Api.Tests;

[Collection(GatewayCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class ObservabilityTests(GatewayFixture fixture)
{
    private static readonly TimeSpan TraceTimeoutMax = TimeSpan.FromSeconds(10);
    private readonly HttpClient admin = fixture.As("operator-o1", LedgerAuth.AdminRole);

    [Fact]
    public async Task A_purchase_is_one_trace_from_the_gateway_request_through_both_grains_to_its_postgresql_command()
    {
        var (path, program) = await OpenSaleAsync();
        var spans = new ConcurrentQueue<Activity>();
        using var stopped = new SemaphoreSlim(0);
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or "Npgsql" or LedgerMetrics.Name
                or ActivitySources.ApplicationGrainActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span =>
            {
                spans.Enqueue(span);
                stopped.Release();
            },
        };
        ActivitySource.AddActivityListener(listener);

        var bought = await GatewayRequests.BuyAsync(fixture.As("citizen-o1"), path, "k1", new { channel = "mobile", amount = 100_000L });
        Assert.Equal(HttpStatusCode.Created, bought.StatusCode);

        // The commit's span ends just after the callers are answered, and the request's span may end after
        // the client has its response; wait for both and the commit's command.
        var deadline = DateTime.UtcNow + TraceTimeoutMax;
        Activity? commit;
        while ((commit = spans.FirstOrDefault(s => s.OperationName == "ledger commit" && (string?)s.GetTagItem("program") == program)) is null
            || !spans.Any(s => s.Source.Name == "Npgsql" && s.ParentSpanId == commit.SpanId)
            || !spans.Any(s => s.Source.Name == "Microsoft.AspNetCore" && s.TraceId == commit.TraceId))
        {
            // Each span that ends may be the one missing.
            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero && await stopped.WaitAsync(left), $"No commit span with its command within {TraceTimeoutMax}.");
        }

        var trace = spans.Where(s => s.TraceId == commit.TraceId).ToList();
        var request = Assert.Single(trace, s => s.Source.Name == "Microsoft.AspNetCore");
        var citizenCall = Assert.Single(trace, s => s.Kind == ActivityKind.Server && s.DisplayName.Contains(nameof(ICitizenGrain)));
        var cityCall = Assert.Single(trace, s => s.Kind == ActivityKind.Server && s.DisplayName.Contains(nameof(ICityMonthGrain)));
        var command = Assert.Single(trace, s => s.Source.Name == "Npgsql" && s.ParentSpanId == commit.SpanId);
        // One tree: the request is its root and every span's parent is in the same trace.
        Assert.Equal(default, request.ParentSpanId);
        Assert.All(trace.Where(s => s != request), s => Assert.Contains(trace, parent => parent.SpanId == s.ParentSpanId));
        Assert.True(IsAncestor(request, citizenCall, trace) && IsAncestor(citizenCall, cityCall, trace));
        Assert.Equal(cityCall.SpanId, commit.ParentSpanId);
        Assert.Contains("ledger_commit", command.DisplayName + " " + command.GetTagItem("db.query.text"));
    }

    [Fact]
    public async Task The_dashboard_refuses_anonymous_and_non_admin_callers_and_serves_admins_and_operators()
    {
        const string password = "operator-password-for-tests";
        using var gateway = fixture.With((OperatorBasicHandler.PasswordSetting, password));
        var anonymous = gateway.CreateClient();
        var citizen = gateway.CreateClient();
        citizen.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Token("citizen-o2", []));
        var teller = gateway.CreateClient();
        teller.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Token("teller-o1", [LedgerAuth.TellerRole]));
        var admin = gateway.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Token("admin-o1", [LedgerAuth.AdminRole]));
        var operatorClient = gateway.CreateClient();
        operatorClient.DefaultRequestHeaders.Authorization = Basic("operator", password);
        var wrongPassword = gateway.CreateClient();
        wrongPassword.DefaultRequestHeaders.Authorization = Basic("operator", password + "x");

        var refused = await anonymous.GetAsync($"{DashboardApi.Path}/");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains(refused.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongPassword.GetAsync($"{DashboardApi.Path}/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"{DashboardApi.Path}/DashboardCounters")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await citizen.GetAsync($"{DashboardApi.Path}/")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await teller.GetAsync($"{DashboardApi.Path}/DashboardCounters")).StatusCode);
        // Operator credentials open the dashboard only, not the API.
        Assert.Equal(HttpStatusCode.Unauthorized, (await operatorClient.GetAsync("/programs/nowhere/months/2022-12/audit")).StatusCode);

        foreach (var allowed in new[] { admin, operatorClient })
        {
            var page = await allowed.GetAsync($"{DashboardApi.Path}/");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
            var counters = await allowed.GetFromJsonAsync<System.Text.Json.JsonElement>($"{DashboardApi.Path}/DashboardCounters");
            Assert.Equal(fixture.Ledger.Cluster.Silos.Count, counters.GetProperty("totalActiveHostCount").GetInt32());
        }
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private static bool IsAncestor(Activity ancestor, Activity span, List<Activity> trace)
    {
        for (var current = span; current is not null; current = trace.FirstOrDefault(s => s.SpanId == current.ParentSpanId))
        {
            if (current.ParentSpanId == ancestor.SpanId)
            {
                return true;
            }
        }

        return false;
    }

    private async Task<(string Path, string Program)> OpenSaleAsync()
    {
        var now = fixture.Ledger.Clock.GetUtcNow();
        var program = $"t{Guid.NewGuid():N}"[..20];
        var path = $"/programs/{program}/months/{ProgramMonth.MonthOf(now)}";
        var put = await admin.PutAsJsonAsync(path, new
        {
            opensAt = now.AddMinutes(-1),
            discountBps = 1_000,
            citizenMonthlyLimit = Scenario.Limit,
            unit = Scenario.Unit,
            caps = new { mobile = 1_000_000L, paper = 0L },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return (path, program);
    }
}
