namespace Ledger.Client.Api.Apis;

/// <summary>The gateway's self-contained HTML pages, built into its assembly so that a deployment is one binary.</summary>
public static class EmbeddedPage
{
    /// <summary>The text of the page embedded as <paramref name="resource"/>; throws at startup if the build lost it.</summary>
    public static string Read(string resource)
    {
        using var stream = typeof(EmbeddedPage).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The resource {resource} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
