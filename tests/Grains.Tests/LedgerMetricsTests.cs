using System.Diagnostics.Metrics;
using Ledger.Grains.Interfaces;
using Ledger.Sale;

namespace Ledger.Grains.Tests;

/// <summary>Purchases are counted under a program-month only once an answer showed it exists.</summary>
public sealed class LedgerMetricsTests
{
    [Fact]
    public void A_program_month_labels_purchases_only_after_an_answer_showed_it_exists()
    {
        var programMonth = new ProgramMonth($"m{Guid.NewGuid():N}"[..20], "2022-12");
        var labelled = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == LedgerMetrics.Name && instrument.Name == LedgerMetrics.PurchasesInstrument)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? program = null, outcome = null;
            foreach (var tag in tags)
            {
                program = tag.Key == "program" ? (string?)tag.Value : program;
                outcome = tag.Key == "outcome" ? (string?)tag.Value : outcome;
            }

            if (program == programMonth.ProgramId)
            {
                lock (labelled)
                {
                    labelled.Add(outcome!);
                }
            }
        });
        listener.Start();

        LedgerMetrics.CountPurchase(programMonth, PurchaseOutcome.NotFound);
        LedgerMetrics.CountPurchase(programMonth, PurchaseOutcome.Busy);
        LedgerMetrics.CountFailedPurchase(programMonth);
        LedgerMetrics.CountPurchase(programMonth, PurchaseOutcome.SoldOut);
        LedgerMetrics.CountPurchase(programMonth, PurchaseOutcome.Busy);
        LedgerMetrics.CountFailedPurchase(programMonth);

        Assert.Equal(["SoldOut", "Busy", "Failed"], labelled);
    }
}
