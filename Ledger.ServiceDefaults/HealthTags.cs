namespace Ledger.ServiceDefaults;

/// <summary>The tags that put a health check behind <c>/health/live</c>, <c>/health/ready</c> or both.</summary>
public static class HealthTags
{
    public const string Live = "live";
    public const string Ready = "ready";
}
