using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Ledger.Grains.Storage;

/// <summary>One file of the schema's history, <c>db/NNNN_name.sql</c>: applied once, at its version.</summary>
public sealed partial record SchemaFile(int Version, string Name, string Sql)
{
    /// <summary>
    /// SHA-256 of the text with line endings taken as \n, so a checkout that writes \r\n reads the same
    /// history; any other change of an applied file is a change. Computed when read, so that a copy made
    /// with another text (<c>with { Sql = ... }</c>) has that text's checksum.
    /// </summary>
    public string Checksum => Convert.ToHexString(
        SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));

    /// <summary>The file named <paramref name="name"/>, its version read from the name.</summary>
    public static SchemaFile Of(string name, string sql)
    {
        var match = FileName().Match(name);
        if (!match.Success)
        {
            throw new SchemaRefusedException(
                $"The schema file {name} is not named db/NNNN_name.sql (four digits, lower-case words): rename it.");
        }

        return new SchemaFile(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), name, sql);
    }

    [GeneratedRegex(@"^db/([0-9]{4})_[a-z0-9_]+\.sql$")]
    private static partial Regex FileName();
}
