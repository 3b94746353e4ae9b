using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;

namespace Ledger.Client.Api.Hosting;

/// <summary>
/// Gives a problem details body to the errors Kestrel answers by itself, before any middleware runs: a request
/// it cannot parse (a malformed request line, a NUL in the path, conflicting lengths), headers over its limits,
/// and the like. Kestrel offers no hook for these, and writes each as a status line and exactly the headers
/// <c>Content-Length: 0</c>, <c>Connection: close</c>, <c>Date</c> and <c>Server</c>, then closes the connection.
/// This connection middleware recognizes that shape as it is written and writes the same status with a body.
/// Every other response passes through untouched, with one prefix compare per write.
/// </summary>
public static class ServerProblemBodies
{
    private static readonly byte[] StatusLinePrefix = "HTTP/1.1 "u8.ToArray();
    private static readonly byte[] BareHeaders = "\r\nContent-Length: 0\r\nConnection: close\r\nDate: "u8.ToArray();
    private static readonly byte[] ServerHeader = "\r\nServer: Kestrel\r\n\r\n"u8.ToArray();

    /// <summary>Adds the middleware to every endpoint Kestrel listens on.</summary>
    public static void UseServerProblemBodies(this KestrelServerOptions kestrel) =>
        kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => connection =>
        {
            connection.Transport = new Transport(connection.Transport);
            return next(connection);
        }));

    /// <summary>The problem details a bare error response of Kestrel's becomes, or null if the bytes are not one.</summary>
    public static byte[]? Rewrite(ReadOnlySpan<byte> written)
    {
        // "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\nDate: ...\r\nServer: Kestrel\r\n\r\n"
        if (!written.StartsWith(StatusLinePrefix) || written.Length < StatusLinePrefix.Length + 3
            || written[StatusLinePrefix.Length] is not ((byte)'4' or (byte)'5') || !written.EndsWith(ServerHeader))
        {
            return null;
        }

        var statusLineEnd = written.IndexOf("\r\n"u8);
        if (!written[statusLineEnd..].StartsWith(BareHeaders)
            || !int.TryParse(written.Slice(StatusLinePrefix.Length, 3), out var status))
        {
            return null;
        }

        var date = written[(statusLineEnd + BareHeaders.Length)..^ServerHeader.Length];
        var title = ReasonPhrases.GetReasonPhrase(status);
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["type"] = $"urn:ledger:problem:http-{status}",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = status == StatusCodes.Status400BadRequest
                ? "The request is not well-formed HTTP/1.1 (its request line, path, headers or lengths); nothing was done."
                : $"The server could not take the request ({title}); nothing was done.",
        });
        var head = $"{Encoding.ASCII.GetString(written[..statusLineEnd])}\r\nContent-Type: application/problem+json\r\n" +
            $"Content-Length: {body.Length}\r\nConnection: close\r\nDate: {Encoding.ASCII.GetString(date)}\r\nServer: Kestrel\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. body];
    }

    private sealed class Transport(IDuplexPipe inner) : IDuplexPipe
    {
        public PipeReader Input => inner.Input;

        public PipeWriter Output { get; } = new Writer(inner.Output);
    }

    /// <summary>The connection's output, passed through; a bare error response is replaced before it is committed.</summary>
    private sealed class Writer(PipeWriter inner) : PipeWriter
    {
        private Memory<byte> lastMemory;

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override Memory<byte> GetMemory(int sizeHint = 0) => lastMemory = inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override void Advance(int bytes)
        {
            // Not yet committed, the bytes written may still be replaced: the memory is the writer's until Advance.
            if (bytes > 0 && bytes <= lastMemory.Length && Rewrite(lastMemory.Span[..bytes]) is { } problem)
            {
                var span = inner.GetSpan(problem.Length);
                problem.CopyTo(span);
                inner.Advance(problem.Length);
            }
            else
            {
                inner.Advance(bytes);
            }

            lastMemory = default;
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);
    }
}
