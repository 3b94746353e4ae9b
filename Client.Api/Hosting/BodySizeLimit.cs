namespace Ledger.Client.Api.Hosting;

/// <summary>
/// Answers a declared oversized body (Content-Length over <see cref="Program.BodyBytesMax"/>) at once, 413, in every
/// host; Kestrel enforces the limit as a body streams in, and the test server has no limit of its own.
/// </summary>
public sealed class BodySizeLimit(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context) =>
        context.Request.ContentLength > Program.BodyBytesMax ? LedgerResults.TooLarge().ExecuteAsync(context) : next(context);
}
