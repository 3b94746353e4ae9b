using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Ledger.OpenApi.Tests;

/// <summary>
/// The outside tools of <c>client/</c> (a validating proxy, a client generator, the TypeScript compiler), pinned by
/// its package.json and package-lock.json and installed with <c>npm ci</c> when the lock file is not the one last
/// installed. They run on the machine's Node.js; nothing of them is committed.
/// </summary>
public static class NodeTools
{
    private const string StampFile = ".ledger-lock-sha256";
    private static readonly TimeSpan InstallTimeMax = TimeSpan.FromMinutes(10);
    private static readonly SemaphoreSlim Installing = new(1, 1);

    /// <summary>The folder of package.json, the client program and what the tests generate.</summary>
    public static string ClientPath { get; } = typeof(NodeTools).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ClientPath").Value!;

    /// <summary>The path of a file in <see cref="ClientPath"/>.</summary>
    public static string InClient(params string[] parts) => Path.Combine([ClientPath, .. parts]);

    /// <summary>Installs the locked packages unless they are installed already.</summary>
    public static async Task EnsureInstalledAsync()
    {
        await Installing.WaitAsync();
        try
        {
            var stamp = InClient("node_modules", StampFile);
            var locked = Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(InClient("package-lock.json"))));
            if (File.Exists(stamp) && await File.ReadAllTextAsync(stamp) == locked)
            {
                return;
            }

            var install = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], InstallTimeMax);
            Assert.True(install.ExitCode == 0, $"npm ci failed in {ClientPath} (exit {install.ExitCode}):\n{install.Output}");
            await File.WriteAllTextAsync(stamp, locked);
        }
        finally
        {
            Installing.Release();
        }
    }

    /// <summary>A tool from node_modules/.bin, run in <see cref="ClientPath"/>.</summary>
    public static Task<(int ExitCode, string Output)> RunToolAsync(string tool, string[] arguments, TimeSpan timeMax,
        IReadOnlyDictionary<string, string>? environment = null) =>
        RunAsync(InClient("node_modules", ".bin", tool), arguments, timeMax, environment);

    /// <summary>Runs a program in <see cref="ClientPath"/> to its end (killed past <paramref name="timeMax"/>), with its output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, TimeSpan timeMax,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Start(program, arguments, environment);
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeMax);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} ran over {timeMax}:\n{output}");
        }

        // The output's last lines are read after the exit; WaitForExitAsync waits for them too.
        await process.WaitForExitAsync();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    /// <summary>Starts a program in <see cref="ClientPath"/> with its output redirected (not yet read).</summary>
    public static Process Start(string program, string[] arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = ClientPath,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
