namespace Recur.Cli.Data;

/// <summary>
/// Finds the data sets that ship with recur (the repository's <c>data/</c> folder, copied next to
/// the program at build time), so every command runs with no arguments from any directory.
/// </summary>
internal static class BundledData
{
    /// <summary>The bundled file <paramref name="relative"/> (e.g. <c>tinyshakespeare/input.txt</c>), shown relative to the working directory when it can be.</summary>
    public static string Path(string relative)
    {
        foreach (var root in Roots())
        {
            string candidate = System.IO.Path.Combine(root, "data", relative);
            if (File.Exists(candidate)) return Shorten(candidate);
        }
        // Not found: return the conventional location so the "file not found" message names it.
        return System.IO.Path.Combine("data", relative);
    }

    private static IEnumerable<string> Roots()
    {
        // The working directory and its parents first (a checkout), then the program's folder.
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            yield return dir.FullName;
        yield return AppContext.BaseDirectory;
    }

    private static string Shorten(string path)
    {
        string relative = System.IO.Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }
}
