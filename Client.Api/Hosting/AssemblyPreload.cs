using System.Reflection;

namespace Ledger.Client.Api.Hosting;

/// <summary>
/// Loads every assembly the gateway references, directly or not, before it listens. An assembly that is first
/// loaded under fire can fail for want of a file handle, and .NET remembers a failed load for the life of the
/// process: from then on every request that needs it fails. Loaded at start, a missing one stops the start.
/// </summary>
public static class AssemblyPreload
{
    /// <summary>Loads the closure of <paramref name="root"/>'s references; returns how many assemblies are loaded.</summary>
    public static int LoadReferencesOf(Assembly root)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>();
        pending.Push(root);
        while (pending.TryPop(out var assembly))
        {
            foreach (var name in assembly.GetReferencedAssemblies())
            {
                if (name.Name is { } simple && seen.Add(simple) && TryLoad(name) is { } loaded)
                {
                    pending.Push(loaded);
                }
            }
        }

        return AppDomain.CurrentDomain.GetAssemblies().Length;
    }

    // A reference that is only compiled against (a facade with no implementation here, or a platform's assembly
    // that this one never runs) cannot be loaded and is never needed at run time.
    private static Assembly? TryLoad(AssemblyName name)
    {
        try
        {
            return Assembly.Load(name);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }
}
