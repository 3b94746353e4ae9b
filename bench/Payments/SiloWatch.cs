using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Ledger.Grains;

namespace Ledger.Bench;

/// <summary>
/// Listens to the meters of the silo in this process while a round runs (<see cref="LedgerMetrics"/>' batch commits,
/// and .NET's HTTP client for the requests to the payment provider) and sums them into <see cref="SiloFigures"/>.
/// </summary>
public sealed class SiloWatch : IDisposable
{
    private const string BatchSize = "ledger.commit.batch_size";
    private const string CommitDuration = "ledger.commit.duration";
    private const string HttpMeter = "System.Net.Http";
    private const string HttpDuration = "http.client.request.duration";

    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<string, double> commitSecondsBySale = new(StringComparer.Ordinal);
    private long commits;
    private long items;
    private long providerRequests;
    private double providerSeconds;

    public SiloWatch()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if ((instrument.Meter.Name == LedgerMetrics.Name && instrument.Name is BatchSize or CommitDuration)
                || (instrument.Meter.Name == HttpMeter && instrument.Name == HttpDuration))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, size, _, _) =>
        {
            Interlocked.Increment(ref commits);
            Interlocked.Add(ref items, size);
        });
        listener.SetMeasurementEventCallback<double>((instrument, seconds, tags, _) =>
        {
            if (instrument.Name == CommitDuration)
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
        double seconds;
        lock (listener)
        {
            seconds = providerSeconds;
        }

        return new SiloFigures(
            Interlocked.Read(ref commits), Interlocked.Read(ref items), commitSecondsBySale.Values.DefaultIfEmpty(0).Max(),
            requests, requests == 0 ? 0 : seconds * 1000 / requests);
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
