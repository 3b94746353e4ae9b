namespace Ledger.Grains.Payments;

/// <summary>How the silo reaches the payment provider: the <c>Ledger:Payments</c> configuration section.</summary>
public sealed class PaymentOptions
{
    public const string Section = "Ledger:Payments";

    /// <summary>The sandbox that <c>./ledger up</c> starts, unless configured otherwise.</summary>
    public const string SandboxUrl = "http://127.0.0.1:5090";

    /// <summary>The provider's base address.</summary>
    public string BaseUrl { get; set; } = SandboxUrl;

    /// <summary>A real provider's access token, sent as a bearer token; from configuration, never the repository.</summary>
    public string? AccessToken { get; set; }

    /// <summary>How long a buyer waits for the provider before the purchase is answered pending (202).</summary>
    public double AnswerWithinSeconds { get; set; } = 3;

    /// <summary>How long one request to the provider may take before it counts as unanswered.</summary>
    public double AttemptTimeoutSeconds { get; set; } = 10;

    /// <summary>How often each silo looks for holds nobody resolves and refunds owed.</summary>
    public double SweepSeconds { get; set; } = 5;

    /// <summary>How long past its expiry a hold may stay unresolved, whatever fails (API.md).</summary>
    public static readonly TimeSpan ResolvedWithin = TimeSpan.FromSeconds(60);

    public TimeSpan AnswerWithin => TimeSpan.FromSeconds(AnswerWithinSeconds);

    public TimeSpan AttemptTimeout => TimeSpan.FromSeconds(AttemptTimeoutSeconds);

    public TimeSpan Sweep => TimeSpan.FromSeconds(SweepSeconds);
}
