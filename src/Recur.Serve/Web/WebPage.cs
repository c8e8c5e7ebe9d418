using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Recur.Serve.Web;

/// <summary>The web page's files (<c>Web/wwwroot</c>), embedded in the assembly and served as they are.</summary>
internal static class WebPage
{
    private static readonly Dictionary<string, string> Types = new(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    /// <summary>The names of the embedded files ("index.html", "app.js", …).</summary>
    public static IEnumerable<string> Files
        => typeof(WebPage).Assembly.GetManifestResourceNames().Where(n => n.StartsWith("wwwroot/", StringComparison.Ordinal)).Select(n => n["wwwroot/".Length..]);

    public static IResult Serve(string file)
    {
        var stream = typeof(WebPage).Assembly.GetManifestResourceStream("wwwroot/" + file);
        if (stream is null) return Results.NotFound();
        return Results.Stream(stream, Types.GetValueOrDefault(Path.GetExtension(file), "application/octet-stream"));
    }
}
