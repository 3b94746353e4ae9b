namespace Ledger.Grains.Payments;

/// <summary>What the provider said of one transfer.</summary>
public enum TransferState
{
    /// <summary>The money moved.</summary>
    Done,

    /// <summary>Refused (for a withdrawal: by the payer's bank); no money moved, and none ever will under this id.</summary>
    Refused,

    /// <summary>The provider has no transfer with this id (an inquiry's answer): it never arrived.</summary>
    NotFound,

    /// <summary>The id belongs to another transfer at the provider (another payer, amount or direction): nothing moved.</summary>
    IdOfAnother,
}

/// <summary>The provider's answer for one transfer: its state, the amount it moved, and its message.</summary>
public sealed record TransferOutcome(TransferState State, long Amount = 0, string? Message = null);
