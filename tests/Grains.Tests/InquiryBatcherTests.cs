using Ledger.Grains.Payments;

namespace Ledger.Grains.Tests;

/// <summary>
/// The result inquiries of many holds left without word go to the provider in few calls, each id answered. The
/// batcher runs in a grain's turns, one at a time: so does each test here, on an exclusive scheduler.
/// </summary>
public sealed class InquiryBatcherTests
{
    [Fact]
    public Task Inquiries_asked_together_go_in_calls_of_at_most_a_hundred_and_each_gets_its_answer() => InTurnsAsync(async () =>
    {
        var provider = new RecordingProvider();
        var batcher = new InquiryBatcher(provider);
        var ids = Enumerable.Range(1, 250).Select(i => $"p.2022-12.{i}").ToArray();

        var answers = await Task.WhenAll(ids.Append(ids[0]).Select(id => batcher.InquireAsync(id, CancellationToken.None)));

        Assert.Equal([100, 100, 50], provider.Calls.Select(c => c.Count));
        Assert.Equal(ids, provider.Calls.SelectMany(c => c));
        Assert.All(answers.Zip(ids.Append(ids[0])), a => Assert.Equal(a.Second.Length, a.First!.Amount));
    });

    [Fact]
    public Task An_inquiry_the_provider_does_not_answer_is_no_word_and_the_next_one_asks_again() => InTurnsAsync(async () =>
    {
        var provider = new RecordingProvider { Down = true };
        var batcher = new InquiryBatcher(provider);

        var unanswered = await batcher.InquireAsync("p.2022-12.1", CancellationToken.None);
        provider.Down = false;
        var answered = await batcher.InquireAsync("p.2022-12.1", CancellationToken.None);

        Assert.Null(unanswered);
        Assert.Equal(TransferState.Done, answered!.State);
        Assert.Equal(2, provider.Calls.Count);
    });

    private static Task InTurnsAsync(Func<Task> test) =>
        Task.Factory.StartNew(test, CancellationToken.None, TaskCreationOptions.None, new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler)
            .Unwrap();

    /// <summary>A provider that answers every id done, with its id's length as the amount, and records each call.</summary>
    private sealed class RecordingProvider : IPaymentProvider
    {
        public List<IReadOnlyCollection<string>> Calls { get; } = [];

        public bool Down { get; set; }

        public Task<IReadOnlyDictionary<string, TransferOutcome>> InquireAsync(
            IReadOnlyCollection<string> transferIds, CancellationToken cancellationToken)
        {
            Calls.Add(transferIds);
            return Down
                ? Task.FromException<IReadOnlyDictionary<string, TransferOutcome>>(new HttpRequestException("down"))
                : Task.FromResult<IReadOnlyDictionary<string, TransferOutcome>>(
                    transferIds.ToDictionary(id => id, id => new TransferOutcome(TransferState.Done, id.Length)));
        }

        public Task<TransferOutcome> WithdrawAsync(string transferId, string payer, long amount, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<TransferOutcome> DepositAsync(string transferId, string payer, long amount, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
