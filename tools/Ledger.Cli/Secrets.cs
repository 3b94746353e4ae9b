using System.Security.Cryptography;

namespace Ledger.Cli;

/// <summary>The clone's secrets, each from its setting when set, else made once and kept in .ledger/ (mode 0600).</summary>
public static class Secrets
{
    /// <summary>The key that signs and checks tokens (the gateway refuses to start without one outside Development).</summary>
    public static string SigningKey(LedgerSettings settings, LedgerPaths paths) =>
        settings.SigningKey ?? MadeOnce(SigningKeyFile(paths), () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));

    /// <summary>The dashboard's operator password: 24 random bytes, 32 URL- and shell-safe characters.</summary>
    public static string OperatorPassword(LedgerSettings settings, LedgerPaths paths) =>
        settings.OperatorPassword ?? MadeOnce(OperatorPasswordFile(paths),
            () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_'));

    public static string SigningKeyFile(LedgerPaths paths) => Path.Combine(paths.State, "signing-key");

    public static string OperatorPasswordFile(LedgerPaths paths) => Path.Combine(paths.State, "operator-password");

    private static string MadeOnce(string file, Func<string> make)
    {
        if (!File.Exists(file) || new FileInfo(file).Length == 0)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.Delete(file);
            using var stream = new FileStream(file, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            using var writer = new StreamWriter(stream);
            writer.Write(make());
        }

        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return File.ReadAllText(file).Trim();
    }
}
