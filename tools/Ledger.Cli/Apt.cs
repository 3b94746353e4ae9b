namespace Ledger.Cli;

/// <summary>Debian's packages, installed with apt-get as root or through passwordless sudo.</summary>
public static class Apt
{
    /// <summary>Whether packages can be installed here: root, or sudo without a password.</summary>
    public static bool CanInstall => Posix.IsRoot || (Posix.Which("sudo") is not null && Posix.Run("sudo", ["-n", "true"]).ExitCode == 0);

    /// <summary>Installs <paramref name="package"/>; without root, fails with <paramref name="cannot"/>.</summary>
    public static bool Install(string package, string saying, string cannot, bool recommends = true)
    {
        if (!CanInstall)
        {
            throw new UserError(cannot);
        }

        Out.Say(saying);
        string[] apt = ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"];
        var prefix = Posix.IsRoot ? apt : ["sudo", "-n", .. apt];
        string[] install = recommends ? ["install", "-y", "-qq", package] : ["install", "-y", "-qq", "--no-install-recommends", package];
        return Posix.Run(prefix[0], [.. prefix[1..], "update", "-qq"]).ExitCode == 0
            && Posix.Run(prefix[0], [.. prefix[1..], .. install]).ExitCode == 0;
    }
}
