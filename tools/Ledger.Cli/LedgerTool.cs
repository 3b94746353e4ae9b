using System.CommandLine;
using Ledger.Cli.Commands;

namespace Ledger.Cli;

/// <summary>The entry point of ./ledger: user errors end as one line and an exit code, never as a stack trace.</summary>
public static class LedgerTool
{
    public static async Task<int> Main(string[] args)
    {
        // dotnet, here and in what it starts: no banner, no telemetry (the tool should not talk to the network).
        Environment.SetEnvironmentVariable("DOTNET_NOLOGO", "1");
        Environment.SetEnvironmentVariable("DOTNET_CLI_TELEMETRY_OPTOUT", "1");
        try
        {
            if (args is [LedgerCommandLine.Bench, .. var benchArgs])
            {
                return BenchCommand.Run(new Clone(LedgerSettings.Read()), benchArgs);
            }

            var root = LedgerCommandLine.Build();
            var parsed = root.Parse(args.Length == 0 ? ["--help"] : args);
            if (parsed.Errors.Count > 0)
            {
                foreach (var error in parsed.Errors)
                {
                    Out.Error(error.Message);
                }

                var command = parsed.CommandResult.Command == root ? "" : $" {parsed.CommandResult.Command.Name}";
                Console.Error.WriteLine($"ledger: ./ledger{command} --help lists what it takes");
                return UserError.Usage;
            }

            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (UserError e)
        {
            Out.Error(e.Message);
            return e.ExitCode;
        }
    }
}
