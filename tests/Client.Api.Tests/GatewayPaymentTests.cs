using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Client.Api.Auth;
using Ledger.Grains.Interfaces;
using Ledger.Grains.Tests;
using Ledger.Testing;

namespace Ledger.Client.Api.Tests;

/// <summary>The two-phase purchase over HTTP, as API.md's "Payments" writes it: 201, 402, 202 and its Location, refunds, reconciliation.</summary>
[Collection(GatewayCollection.Name)]
[Trait("Category", TestCategories.Cluster)]
public sealed class GatewayPaymentTests(GatewayFixture fixture) : IAsyncLifetime
{
    private static readonly object Body = new { channel = "mobile", amount = 100_000 };

    private readonly HttpClient admin = fixture.As("operator-1", LedgerAuth.AdminRole);
    private readonly PaymentSandboxProcess bank = fixture.Sandbox;

    public Task InitializeAsync() => bank.SetFaultsAsync(new { });

    public Task DisposeAsync() => bank.SetFaultsAsync(new { });

    [Fact]
    public async Task A_policy_takes_payment_by_account_and_a_bad_payment_field_is_named()
    {
        var path = NewPath();
        var opensAt = OpensAt();

        var saved = await admin.PutAsJsonAsync(path, PaidPolicy(opensAt, holdSeconds: 120));
        var card = await admin.PutAsJsonAsync(path, PaidPolicy(opensAt) with { Payment = "card" });
        var forever = await admin.PutAsJsonAsync(path, PaidPolicy(opensAt, holdSeconds: 0));
        var state = await fixture.Anonymous().GetFromJsonAsync<JsonElement>(path);

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var policy = await saved.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("account", 120), (policy.GetProperty("payment").GetString(), policy.GetProperty("holdSeconds").GetInt32()));
        Assert.Equal("account", state.GetProperty("payment").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, card.StatusCode);
        Assert.True((await card.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("payment", out _));
        Assert.Equal(HttpStatusCode.BadRequest, forever.StatusCode);
        Assert.True((await forever.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("holdSeconds", out _));
    }

    [Fact]
    public async Task A_paid_purchase_is_201_and_a_declined_one_is_402_again_for_the_same_key()
    {
        var path = await NewPaidSaleAsync();
        var citizen = fixture.As($"citizen-{Guid.NewGuid():N}");

        var bought = await GatewayRequests.BuyAsync(citizen, path, "paid-1", Body);
        await bank.SetFaultsAsync(new { declineRate = 1.0 });
        var declined = await GatewayRequests.BuyAsync(citizen, path, "paid-2", Body);
        await bank.SetFaultsAsync(new { });
        var again = await GatewayRequests.BuyAsync(citizen, path, "paid-2", Body);

        Assert.Equal(HttpStatusCode.Created, bought.StatusCode);
        Assert.Equal("confirmed", (await bought.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        foreach (var response in new[] { declined, again })
        {
            var problem = await AssertProblemAsync(response, HttpStatusCode.PaymentRequired, "payment-declined");
            Assert.Equal("Insufficient balance.", problem.GetProperty("reason").GetString());
        }

        var entries = await admin.GetFromJsonAsync<JsonElement>(path + "/ledger");
        Assert.Equal(["hold", "post", "hold", "void"], entries.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task Without_word_from_the_bank_a_purchase_is_202_pending_at_its_Location_until_it_is_confirmed()
    {
        var path = await NewPaidSaleAsync();
        var citizen = fixture.As($"citizen-{Guid.NewGuid():N}");
        await bank.SetFaultsAsync(new { down = true });

        var pending = await GatewayRequests.BuyAsync(citizen, path, "slow-1", Body);
        var retried = await GatewayRequests.BuyAsync(citizen, path, "slow-1", Body);
        var location = pending.Headers.Location!.OriginalString;
        var shown = await citizen.GetFromJsonAsync<JsonElement>(location);
        await bank.SetFaultsAsync(new { });
        var confirmed = await Eventually.UntilAsync(
            () => citizen.GetFromJsonAsync<JsonElement>(location), p => p.GetProperty("status").GetString() == "confirmed");
        var afterwards = await GatewayRequests.BuyAsync(citizen, path, "slow-1", Body);

        Assert.Equal(HttpStatusCode.Accepted, pending.StatusCode);
        var body = await pending.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("pending", body.GetProperty("status").GetString());
        Assert.Equal($"/purchases/{body.GetProperty("purchaseId").GetString()}", location);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.Equal("pending", shown.GetProperty("status").GetString());
        Assert.Equal(body.GetProperty("purchaseId").GetString(), confirmed.GetProperty("purchaseId").GetString());
        Assert.Equal(HttpStatusCode.Created, afterwards.StatusCode);
    }

    [Fact]
    public async Task Cancelling_a_paid_purchase_shows_its_refund_pending_then_done_and_reconciliation_agrees()
    {
        var path = await NewPaidSaleAsync();
        var subject = $"citizen-{Guid.NewGuid():N}";
        var citizen = fixture.As(subject);
        var bought = await (await GatewayRequests.BuyAsync(citizen, path, "refund-1", Body)).Content.ReadFromJsonAsync<JsonElement>();
        var location = $"/purchases/{bought.GetProperty("purchaseId").GetString()}";
        await bank.SetFaultsAsync(new { down = true });

        var cancelled = await citizen.PostAsync(location + "/cancel", null);
        var unreachable = await admin.GetAsync(path + "/reconciliation");
        await bank.SetFaultsAsync(new { });
        var refunded = await Eventually.UntilAsync(
            () => citizen.GetFromJsonAsync<JsonElement>(location), p => p.GetProperty("refund").GetString() == "done");
        var settled = await admin.GetFromJsonAsync<JsonElement>(path + "/reconciliation");
        var forbidden = await citizen.GetAsync(path + "/reconciliation");

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        var body = await cancelled.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("cancelled", "pending"), (body.GetProperty("status").GetString(), body.GetProperty("refund").GetString()));
        // The provider's record cannot be read while it is down: no partial report.
        await AssertProblemAsync(unreachable, HttpStatusCode.ServiceUnavailable, "unavailable");
        Assert.Equal("cancelled", refunded.GetProperty("status").GetString());
        Assert.Equal(
            (true, 0L, 0L, 0L, 0),
            (settled.GetProperty("consistent").GetBoolean(), settled.GetProperty("ledgerNet").GetInt64(),
             settled.GetProperty("providerNet").GetInt64(), settled.GetProperty("pending").GetInt64(),
             settled.GetProperty("mismatches").GetArrayLength()));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(new PayerMoney(90_000, 90_000), await bank.PayerAsync(subject));
    }

    private string NewPath() =>
        GatewayRequests.PathOf(new ProgramMonth($"p{Guid.NewGuid():N}"[..20], ProgramMonth.MonthOf(fixture.Ledger.Clock.GetUtcNow())));

    private DateTimeOffset OpensAt() => fixture.Ledger.Clock.GetUtcNow().AddMinutes(-1).ToOffset(ProgramMonth.KoreaOffset);

    private static PaidPolicyBody PaidPolicy(DateTimeOffset opensAt, int holdSeconds = 600) => new(
        opensAt, 1_000, Scenario.Limit, Scenario.Unit, new { mobile = 1_000_000L, paper = 500_000L }, "account", holdSeconds);

    private async Task<string> NewPaidSaleAsync()
    {
        var path = NewPath();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync(path, PaidPolicy(OpensAt()))).StatusCode);
        return path;
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }

    private sealed record PaidPolicyBody(
        DateTimeOffset OpensAt, int DiscountBps, long CitizenMonthlyLimit, long Unit, object Caps, string Payment, int HoldSeconds);
}
