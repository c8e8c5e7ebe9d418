using Recur.Cli;

using System.Text.Json.Nodes;

namespace Recur.Tests.Cli;

/// <summary>Runs <c>recur</c> in-process and captures what it prints.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static CliRun Of(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>The lines of stderr (no trailing empty line).</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public void ShouldSucceed()
        => Assert.True(ExitCode == 0, $"exit code {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}");

    /// <summary>Bad input: exit code 2 and exactly one line on stderr containing every fragment.</summary>
    public void ShouldFailWithOneLine(params string[] fragments)
    {
        Assert.True(ExitCode == 2, $"expected exit code 2, got {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}");
        var line = Assert.Single(ErrorLines);
        Assert.DoesNotContain(" at ", line.Replace("at most", "").Replace("at least", ""));
        foreach (var f in fragments) Assert.Contains(f, line);
    }

    public static JsonObject Metrics(string dir) => (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")))!;
}

/// <summary>A fresh directory under the system temp folder, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "recur-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string content)
    {
        System.IO.File.WriteAllText(File(name), content);
        return File(name);
    }

    /// <summary>Nothing under the directory but the given input files (no output directory, complete or partial).</summary>
    public void HoldsOnly(params string[] names)
        => Assert.Equal(names.Order(), Directory.EnumerateFileSystemEntries(Path).Select(System.IO.Path.GetFileName).Order()!);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
