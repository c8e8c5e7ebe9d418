using Recur.Cli;

namespace Recur.Serve.Tests;

/// <summary><c>recur serve</c> answers bad options with one line and exit code 2, before listening.</summary>
[Collection("served models")]
public sealed class ServeCommandTests(TinyModels models)
{
    private static void FailsWithOneLine(string[] args, params string[] fragments)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(2, CliApp.Run(args, output, error));
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        foreach (var f in fragments) Assert.Contains(f, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_options_are_one_line_and_exit_code_2()
    {
        FailsWithOneLine(["serve"], "nothing to serve");
        FailsWithOneLine(["serve", "--model", Path.Combine(models.Root, "nope")], "nope", "file not found");
        FailsWithOneLine(["serve", "--model", $"a={models.Classify}", "--model", $"a={models.Tag}"], "already called 'a'");
        FailsWithOneLine(["serve", "--model", $"bad/name={models.Classify}"], "the name 'bad/name' is not usable in a URL");
        FailsWithOneLine(["serve", "--model", models.Classify, "--batch-window", "-1"], "--batch-window is -1 ms");
        FailsWithOneLine(["serve", "--model", models.Classify, "--max-batch", "0"], "--max-batch is 0");
        FailsWithOneLine(["serve", "--model", models.Classify, "--concurrent-batches", "0"], "--concurrent-batches is 0");
        FailsWithOneLine(["serve", "--runs", Path.Combine(models.Root, "no-runs")], "--runs", "directory not found");
    }
}
