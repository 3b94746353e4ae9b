namespace Ledger.Grains.Payments;

/// <summary>
/// Groups the transfer result inquiries of one activation: while one inquiry is with the provider, the ids asked
/// for meanwhile wait and go together in the next, up to <see cref="IPaymentProvider.InquiryMax"/> each (group
/// commit, applied to the provider). So holds left without word by a provider outage ask about themselves in a
/// few calls when it returns, not one call each. Runs in the grain's turns: no locks.
/// </summary>
internal sealed class InquiryBatcher(IPaymentProvider provider)
{
    private readonly Dictionary<string, TaskCompletionSource<TransferOutcome?>> waiting = new(StringComparer.Ordinal);
    private Task? pumping;

    /// <summary>The provider's record of one transfer; null when the provider could not be asked.</summary>
    public Task<TransferOutcome?> InquireAsync(string transferId, CancellationToken cancellationToken)
    {
        if (!waiting.TryGetValue(transferId, out var answer))
        {
            waiting[transferId] = answer = new TaskCompletionSource<TransferOutcome?>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        pumping ??= PumpAsync(cancellationToken);
        return answer.Task;
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Let the turn that started the pump finish; ids asked for meanwhile join the first call.
            await Task.Yield();
            while (waiting.Count > 0)
            {
                var batch = waiting.Take(IPaymentProvider.InquiryMax).ToArray();
                foreach (var (id, _) in batch)
                {
                    waiting.Remove(id);
                }

                IReadOnlyDictionary<string, TransferOutcome>? record;
                try
                {
                    record = await provider.InquireAsync(batch.Select(b => b.Key).ToArray(), cancellationToken);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    record = null;
                }

                foreach (var (id, answer) in batch)
                {
                    answer.TrySetResult(record?.GetValueOrDefault(id));
                }
            }
        }
        catch (OperationCanceledException)
        {
            foreach (var answer in waiting.Values)
            {
                answer.TrySetCanceled(cancellationToken);
            }

            waiting.Clear();
        }
        finally
        {
            pumping = null;
        }
    }
}
