namespace Ledger.Testing;

/// <summary>
/// The values of <c>[Trait("Category", ...)]</c>: each test class names the heaviest thing it needs, so that
/// <c>./ledger test --fast</c> can leave the slow ones out by category while <c>./ledger test</c> runs everything.
/// A class that needs none of them (the sale core, the auditor, plain types) carries no category.
/// </summary>
public static class TestCategories
{
    /// <summary>A real PostgreSQL, and no Orleans cluster.</summary>
    public const string Database = "Database";

    /// <summary>Orleans' in-process test cluster on PostgreSQL (the shared fixtures, in-process gateway included).</summary>
    public const string Cluster = "Cluster";

    /// <summary>Kills silos or cuts the database and waits out the recovery: long-running by nature.</summary>
    public const string Failover = "Failover";

    /// <summary>Drives a page in headless Chromium.</summary>
    public const string Browser = "Browser";

    /// <summary>Runs the benchmark binary.</summary>
    public const string Bench = "Bench";

    /// <summary>Starts the real silo or gateway binary as a process of its own.</summary>
    public const string Process = "Process";

    /// <summary>
    /// Long-running though it needs nothing heavier than its other category names (the differential property
    /// test's generated runs on PostgreSQL): a second category on the class.
    /// </summary>
    public const string Slow = "Slow";
}
