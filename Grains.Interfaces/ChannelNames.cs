using System.Diagnostics.CodeAnalysis;
using Ledger.Sale;

namespace Ledger.Grains.Interfaces;

/// <summary>The wire and database names of <see cref="Channel"/>: <c>mobile</c> and <c>paper</c>.</summary>
public static class ChannelNames
{
    public const string Mobile = "mobile";
    public const string Paper = "paper";

    public static string ToName(this Channel channel) => channel switch
    {
        Channel.Mobile => Mobile,
        Channel.Paper => Paper,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel."),
    };

    public static bool TryParse(string? name, [NotNullWhen(true)] out Channel? channel)
    {
        channel = name switch
        {
            Mobile => Channel.Mobile,
            Paper => Channel.Paper,
            _ => null,
        };
        return channel is not null;
    }

    public static Channel Parse(string name) =>
        TryParse(name, out var channel) ? channel.Value : throw new FormatException($"Unknown channel '{name}'.");
}
