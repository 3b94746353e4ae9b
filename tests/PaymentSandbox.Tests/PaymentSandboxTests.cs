using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Testing;

namespace Ledger.PaymentSandbox.Tests;

[Trait("Category", TestCategories.Database)]
public sealed class PaymentSandboxTests : IAsyncLifetime
{
    private readonly SandboxHost host = new();
    private HttpClient bank = null!;

    public async Task InitializeAsync()
    {
        bank = host.CreateClient();
        await SetFaultsAsync(new { });
    }

    public async Task DisposeAsync()
    {
        bank.Dispose();
        await host.DisposeAsync();
    }

    [Fact]
    public async Task A_withdrawal_is_done_once_whatever_how_often_its_id_is_sent()
    {
        var (payer, id) = NewPayerAndId();
        var first = await WithdrawAsync(id, payer, "180000");
        var again = await WithdrawAsync(id, payer, "180000");

        Assert.Equal((BankCodes.Done, BankCodes.BankDone, "180000"), (first.RspCode, first.BankRspCode, first.TranAmt));
        Assert.Equal(first, again);
        Assert.Equal(new PayerFigures(180_000, 0), await PayerAsync(payer));
    }

    [Fact]
    public async Task Transfers_sent_at_once_are_each_recorded_and_one_id_sent_at_once_is_done_once()
    {
        var (payer, id) = NewPayerAndId();
        // Enough at once that the recorder commits several together, the same id among them.
        var sameId = Enumerable.Range(0, 40).Select(_ => WithdrawAsync(id, payer, "1000"));
        var distinct = Enumerable.Range(0, 40).Select(i => WithdrawAsync($"{id}-{i}", payer, "10"));
        var answers = await Task.WhenAll(sameId.Concat(distinct));

        Assert.All(answers, a => Assert.Equal(BankCodes.Done, a.RspCode));
        Assert.Equal(new PayerFigures(1_000 + (40 * 10), 0), await PayerAsync(payer));
        var inquiry = await InquireAsync([id, .. Enumerable.Range(0, 40).Select(i => $"{id}-{i}")]);
        Assert.All(inquiry.ResList, r => Assert.Equal(BankCodes.Done, r.RspCode));
    }

    [Fact]
    public async Task An_id_used_for_another_transfer_moves_nothing()
    {
        var (payer, id) = NewPayerAndId();
        await WithdrawAsync(id, payer, "10000");

        Assert.Equal(BankCodes.IdUsedForAnother, (await WithdrawAsync(id, payer, "20000")).RspCode);
        Assert.Equal(BankCodes.IdUsedForAnother, (await WithdrawAsync(id, "someone-else", "10000")).RspCode);
        Assert.Equal(BankCodes.IdUsedForAnother, (await TransferAsync("deposit", id, payer, "10000")).RspCode);
        Assert.Equal(new PayerFigures(10_000, 0), await PayerAsync(payer));
    }

    [Fact]
    public async Task A_declined_withdrawal_stays_declined_under_its_id_and_takes_nothing()
    {
        var (payer, id) = NewPayerAndId();
        await SetFaultsAsync(new { declineRate = 1.0 });
        var declined = await WithdrawAsync(id, payer, "10000");
        await SetFaultsAsync(new { });
        var again = await WithdrawAsync(id, payer, "10000");

        Assert.Equal((BankCodes.RefusedByBank, BankCodes.BankInsufficientBalance), (declined.RspCode, declined.BankRspCode));
        Assert.Equal(declined, again);
        Assert.Equal(new PayerFigures(0, 0), await PayerAsync(payer));
    }

    [Fact]
    public async Task A_lost_answer_leaves_the_withdrawal_done_and_the_inquiry_tells_it()
    {
        var (payer, id) = NewPayerAndId();
        await SetFaultsAsync(new { lostAnswerRate = 1.0 });
        await Assert.ThrowsAnyAsync<Exception>(() => WithdrawAsync(id, payer, "10000"));
        await SetFaultsAsync(new { });

        var inquiry = await InquireAsync(id, "never-sent-" + id);
        Assert.Equal(BankCodes.Done, inquiry.RspCode);
        Assert.Equal([(BankCodes.Done, id), (BankCodes.NoSuchTransfer, "never-sent-" + id)], inquiry.ResList.Select(r => (r.RspCode, r.BankTranId)));
        Assert.Equal(new PayerFigures(10_000, 0), await PayerAsync(payer));
    }

    [Fact]
    public async Task A_deposit_returns_the_price_and_is_never_declined()
    {
        var (payer, id) = NewPayerAndId();
        await WithdrawAsync(id, payer, "90000");
        await SetFaultsAsync(new { declineRate = 1.0 });
        var refund = await TransferAsync("deposit", "refund-" + id, payer, "90000");

        Assert.Equal(BankCodes.Done, refund.RspCode);
        Assert.Equal(new PayerFigures(90_000, 90_000), await PayerAsync(payer));
    }

    [Fact]
    public async Task A_bank_that_is_down_answers_503_and_comes_back_when_told()
    {
        var (payer, id) = NewPayerAndId();
        await SetFaultsAsync(new { down = true });
        var down = await bank.PostAsJsonAsync("/v2.0/transfer/withdraw/fin_num", Transfer(id, payer, "10000"));
        await SetFaultsAsync(new { });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal(new PayerFigures(0, 0), await PayerAsync(payer));
        Assert.Equal(BankCodes.Done, (await WithdrawAsync(id, payer, "10000")).RspCode);
    }

    [Fact]
    public async Task The_record_outlives_the_process()
    {
        var (payer, id) = NewPayerAndId();
        await WithdrawAsync(id, payer, "10000");

        await using var restarted = new SandboxHost();
        using var client = restarted.CreateClient();
        Assert.Equal(new PayerFigures(10_000, 0), await client.GetFromJsonAsync<PayerFigures>($"/sandbox/payers/{payer}"));
    }

    [Theory]
    [InlineData("""{"bank_tran_id":"","fintech_use_num":"p","tran_amt":"1"}""", "bank_tran_id")]
    [InlineData("""{"bank_tran_id":"x","fintech_use_num":"p","tran_amt":"-5"}""", "tran_amt")]
    [InlineData("""{"bank_tran_id":"x","fintech_use_num":"p","tran_amt":"000"}""", "tran_amt")]
    [InlineData("""{"bank_tran_id":"x","tran_amt":"1"}""", "fintech_use_num")]
    public async Task A_malformed_transfer_is_refused_naming_the_field_and_moves_nothing(string body, string field)
    {
        var answer = await bank.PostAsync("/v2.0/transfer/withdraw/fin_num", new StringContent(body, null, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.True((await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Theory]
    [InlineData("""{"declineRate":1.5}""", "declineRate")]
    [InlineData("""{"lostAnswerRate":-0.1}""", "lostAnswerRate")]
    [InlineData("""{"latencyMs":[300,5]}""", "latencyMs")]
    public async Task Faults_out_of_range_are_refused_naming_the_field_and_change_nothing(string body, string field)
    {
        await SetFaultsAsync(new { declineRate = 0.5 });
        var answer = await bank.PutAsync("/sandbox/faults", new StringContent(body, null, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.True((await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(0.5, (await bank.GetFromJsonAsync<Faults>("/sandbox/faults"))!.DeclineRate);
    }

    private static (string Payer, string Id) NewPayerAndId() => ($"c{Guid.NewGuid():N}", $"t{Guid.NewGuid():N}");

    private static TransferRequest Transfer(string id, string payer, string amount) => new(id, payer, amount);

    private Task<TransferAnswer> WithdrawAsync(string id, string payer, string amount) => TransferAsync("withdraw", id, payer, amount);

    private async Task<TransferAnswer> TransferAsync(string kind, string id, string payer, string amount)
    {
        var answer = await bank.PostAsJsonAsync($"/v2.0/transfer/{kind}/fin_num", Transfer(id, payer, amount));
        answer.EnsureSuccessStatusCode();
        return (await answer.Content.ReadFromJsonAsync<TransferAnswer>())!;
    }

    private async Task<ResultAnswer> InquireAsync(params string[] ids)
    {
        var answer = await bank.PostAsJsonAsync("/v2.0/transfer/result", new ResultInquiry(ids.Select(i => new ResultInquiryItem(i)).ToArray()));
        answer.EnsureSuccessStatusCode();
        return (await answer.Content.ReadFromJsonAsync<ResultAnswer>())!;
    }

    private Task<PayerFigures?> PayerAsync(string payer) => bank.GetFromJsonAsync<PayerFigures>($"/sandbox/payers/{payer}");

    private async Task SetFaultsAsync(object faults) => (await bank.PutAsJsonAsync("/sandbox/faults", faults)).EnsureSuccessStatusCode();
}
