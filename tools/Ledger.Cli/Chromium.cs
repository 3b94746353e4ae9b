namespace Ledger.Cli;

/// <summary>
/// Headless Chromium for the browser tests. Root (or passwordless sudo) installs Debian's package; a normal user
/// unpacks it and the libraries it lacks into .ledger/chromium. Only the browser tests need it, and they fail with
/// their own message without it, so not finding it is a warning.
/// </summary>
public static class Chromium
{
    public static string? Find(LedgerSettings settings, LedgerPaths paths)
    {
        var dir = Path.Combine(paths.State, "chromium");
        var found = settings.Chromium ?? Posix.Which("chromium");
        if (found is null && File.Exists(Path.Combine(dir, "chromium")))
        {
            found = Path.Combine(dir, "chromium");
        }

        if (found is null && Apt.CanInstall)
        {
            Apt.Install("chromium", "chromium not found; installing it with apt-get (for the sales page's browser test)...", "", recommends: false);
            found = Posix.Which("chromium");
        }
        else if (found is null)
        {
            found = Unpack(dir);
        }

        if (found is null)
        {
            Out.Warn("chromium could not be installed; the sales page's browser test will fail.\n" +
                "  Ask an administrator to run:  apt-get update && apt-get install -y --no-install-recommends chromium");
        }

        return found;
    }

    private static string? Unpack(string dir)
    {
        Out.Say($"chromium not found; unpacking Debian's chromium and the libraries it lacks into {dir} (no root needed)...");
        var apt = Path.Combine(dir, "apt");
        string[] options = ["-o", $"Dir::State::Lists={apt}/lists", "-o", $"Dir::Cache={apt}/cache", "-o", "Debug::NoLocking=1",
            "-o", $"APT::Sandbox::User={Environment.UserName}"];
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        foreach (var sub in new[] { "apt/lists/partial", "apt/cache/archives/partial", "debs", "root" })
        {
            Directory.CreateDirectory(Path.Combine(dir, sub));
        }

        if (Posix.Run("apt-get", [.. options, "update", "-qq"]).ExitCode != 0)
        {
            return null;
        }

        var (code, plan) = Posix.Run("apt-get", [.. options, "install", "-s", "--no-install-recommends", "chromium"]);
        var packages = plan.Split('\n').Where(l => l.StartsWith("Inst ", StringComparison.Ordinal)).Select(l => l.Split(' ')[1]).ToList();
        var debs = Path.Combine(dir, "debs");
        if (code != 0 || packages.Count == 0 || Posix.Run("apt-get", [.. options, "download", .. packages], workingDirectory: debs).ExitCode != 0)
        {
            return null;
        }

        var root = Path.Combine(dir, "root");
        foreach (var deb in Directory.GetFiles(debs, "*.deb"))
        {
            Posix.Run("dpkg-deb", ["-x", deb, root]);
        }

        var libraries = Directory.EnumerateFiles(root, "*.so*", SearchOption.AllDirectories)
            .Select(Path.GetDirectoryName).Distinct().Order(StringComparer.Ordinal);
        var wrapper = Path.Combine(dir, "chromium");
        File.WriteAllText(wrapper, "#!/bin/sh\n" +
            $"export LD_LIBRARY_PATH=\"{string.Join(':', libraries)}${{LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}}\"\n" +
            $"exec \"{root}/usr/lib/chromium/chromium\" \"$@\"\n");
        File.SetUnixFileMode(wrapper, File.GetUnixFileMode(wrapper) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        Directory.Delete(debs, recursive: true);
        Directory.Delete(apt, recursive: true);
        return wrapper;
    }
}
