namespace Netkit.EndToEnd;

/// <summary>
/// Finds the external programs the tests drive (python3, ncat, rdate, clang, ...). A missing tool
/// skips the test on a developer machine, but fails it when <c>CI=true</c>: a CI image that lost a
/// tool must not turn the end-to-end suite green by skipping it.
/// </summary>
public static class Toolchain
{
    public static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The full path of <paramref name="name"/> on PATH, or null.</summary>
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The full path of <paramref name="name"/>; skips (or, on CI, fails) the test without it.</summary>
    public static string Require(string name)
    {
        var found = Find(name);
        if (found is null)
        {
            Unavailable($"{name} is not on PATH");
        }

        return found!;
    }

    /// <summary>Skips the running test, or fails it on CI.</summary>
    public static void Unavailable(string reason)
    {
        if (IsCi)
        {
            Assert.Fail($"{reason} (CI=true: a missing prerequisite fails instead of skipping)");
        }

        Skip.If(true, reason);
    }
}
