using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Ledger.Grains;

namespace Ledger.Bench;

/// <summary>
/// Listens to the meters of the silo in this process while a round runs (<see cref="LedgerMetrics"/>' batch commits and
/// commit transactions, and .NET's HTTP client for the requests to the payment provider) and sums them into
/// <see cref="SiloFigures"/>.
/// </summary>
public sealed class SiloWatch : IDisposable
{
    private const string BatchSize = "ledger.commit.batch_size";
    private const string CommitDuration = "ledger.commit.duration";
    private const string TransactionBatches = "ledger.commit.transaction.program_months";
    private const string ConnectionWait = "ledger.commit.connection_wait";
    private const string HttpMeter = "System.Net.Http";
    private const string HttpDuration = "http.client.request.duration";

    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<string, double> commitSecondsBySale = new(StringComparer.Ordinal);
    private long commits;
    private long items;
    private long transactions;
    private long waits;
    private double waitSeconds;
    private double waitMaxSeconds;
    private long providerRequests;
    private double providerSeconds;

    public SiloWatch()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if ((instrument.Meter.Name == LedgerMetrics.Name && instrument.Name is BatchSize or CommitDuration or TransactionBatches or ConnectionWait)
                || (instrument.Meter.Name == HttpMeter && instrument.Name == HttpDuration))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, size, _, _) =>
        {
            if (instrument.Name == TransactionBatches)
            {
                Interlocked.Increment(ref transactions);
                return;
            }

            Interlocked.Increment(ref commits);
            Interlocked.Add(ref items, size);
        });
        listener.SetMeasurementEventCallback<double>((instrument, seconds, tags, _) =>
        {
            if (instrument.Name == ConnectionWait)
            {
                lock (listener)
                {
                    waits++;
                    waitSeconds += seconds;
                    waitMaxSeconds = Math.Max(waitMaxSeconds, seconds);
                }
            }
            else if (instrument.Name == CommitDuration)
            {
                commitSecondsBySale.AddOrUpdate(Tag(tags, "program") + "/" + Tag(tags, "month"), seconds, (_, sum) => sum + seconds);
            }
            else if (Tag(tags, "http.request.method") == "POST")
            {
                // The bench's own requests to the sandbox (faults, payers) are PUT and GET.
                Interlocked.Increment(ref providerRequests);
                lock (listener)
                {
                    providerSeconds += seconds;
                }
            }
        });
        listener.Start();
    }

    public SiloFigures Snapshot()
    {
        var requests = Interlocked.Read(ref providerRequests);
        lock (listener)
        {
            return new SiloFigures(
                Interlocked.Read(ref commits), Interlocked.Read(ref items), commitSecondsBySale.Values.DefaultIfEmpty(0).Max(),
                requests, requests == 0 ? 0 : providerSeconds * 1000 / requests)
            {
                Transactions = Interlocked.Read(ref transactions),
                ConnectionWaitMeanMs = waits == 0 ? 0 : waitSeconds * 1000 / waits,
                ConnectionWaitMaxMs = waitMaxSeconds * 1000,
            };
        }
    }

    public void Dispose() => listener.Dispose();

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }
}
