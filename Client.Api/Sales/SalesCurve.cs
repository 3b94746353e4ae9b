using Ledger.Client.Api.Contracts;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Client.Api.Sales;

/// <summary>
/// The net amount sold per channel over time since a sale opened, built up from the ledger in sequence
/// order. It holds at most <see cref="BucketsMax"/> buckets: they start one minute wide, and each time the
/// sale outgrows them, neighbours merge and the width doubles, so a month-long sale still fits.
/// </summary>
public sealed class SalesCurve(DateTimeOffset opening)
{
    public const int BucketsMax = 120;

    private readonly long[] mobile = new long[BucketsMax];
    private readonly long[] paper = new long[BucketsMax];
    private int bucketMinutes = 1;
    private int lastBucket = -1;

    /// <summary>When the sale opened: the curve's origin.</summary>
    public DateTimeOffset Opening { get; } = opening;

    /// <summary>The last ledger sequence added: the next read starts after it.</summary>
    public long LastSequence { get; private set; }

    /// <summary>Adds the net amount (purchases less cancels) sold on a channel within one minute.</summary>
    public void Add(DateTimeOffset minute, Channel channel, long amount, long lastSequence)
    {
        // Entries are stamped by the grain's clock; one that reads before the opening counts at the opening.
        var offset = Math.Max(0L, (long)(minute - Opening).TotalMinutes);
        while (offset / bucketMinutes >= BucketsMax)
        {
            Widen();
        }

        var bucket = (int)(offset / bucketMinutes);
        var sold = channel == Channel.Mobile ? mobile : paper;
        sold[bucket] += amount;
        lastBucket = Math.Max(lastBucket, bucket);
        LastSequence = Math.Max(LastSequence, lastSequence);
    }

    /// <summary>
    /// The cumulative amount sold per channel at the end of each bucket, up to the one holding
    /// <paramref name="now"/> (whose point is at <paramref name="now"/>) or the last one with sales, if later.
    /// </summary>
    public SalesCurveBody ToBody(DateTimeOffset now)
    {
        var points = new List<SalesPointBody> { new(Opening.ToOffset(ProgramMonth.KoreaOffset), 0, 0) };
        long soldMobile = 0, soldPaper = 0;
        for (var bucket = 0; bucket < BucketsMax; bucket++)
        {
            var start = Opening.AddMinutes((long)bucket * bucketMinutes);
            if (start > now && bucket > lastBucket)
            {
                break;
            }

            var end = start.AddMinutes(bucketMinutes);
            soldMobile += mobile[bucket];
            soldPaper += paper[bucket];
            points.Add(new((start <= now && now < end ? now : end).ToOffset(ProgramMonth.KoreaOffset), soldMobile, soldPaper));
        }

        return new SalesCurveBody(bucketMinutes, points);
    }

    private void Widen()
    {
        for (var bucket = 0; bucket < BucketsMax / 2; bucket++)
        {
            mobile[bucket] = mobile[2 * bucket] + mobile[(2 * bucket) + 1];
            paper[bucket] = paper[2 * bucket] + paper[(2 * bucket) + 1];
        }

        Array.Clear(mobile, BucketsMax / 2, BucketsMax / 2);
        Array.Clear(paper, BucketsMax / 2, BucketsMax / 2);
        bucketMinutes *= 2;
        lastBucket /= 2;
    }
}
