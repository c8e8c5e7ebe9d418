using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Recur.Serve.Api;

namespace Recur.Serve.Runs;

/// <summary>One run directory as the training monitor lists it.</summary>
/// <param name="Name">The directory name (a run still training ends in <c>.partial</c>).</param>
/// <param name="Task">The task from its <c>task.json</c>, or null.</param>
/// <param name="State">"training" (a <c>.partial</c> directory written to recently), "stopped" (a <c>.partial</c> one left alone) or "complete".</param>
/// <param name="Rows">Rows of <c>history.csv</c> so far.</param>
/// <param name="Updated">When the history (or the directory) last changed.</param>
public sealed record RunSummary(string Name, string? Task, string State, int Rows, DateTimeOffset Updated);

/// <summary>One run's history: every column of <c>history.csv</c> (null where a row has no value) and, once complete, its metrics.</summary>
/// <param name="Name">The directory name.</param>
/// <param name="Task">The task, or null.</param>
/// <param name="State">As in <see cref="RunSummary"/>.</param>
/// <param name="Columns">Column names, in file order.</param>
/// <param name="Values">Per column, the value of each row.</param>
/// <param name="Metrics">metrics.json of a complete run, or null.</param>
public sealed record RunHistory(string Name, string? Task, string State, IReadOnlyList<string> Columns,
    IReadOnlyDictionary<string, double?[]> Values, JsonObject? Metrics);

/// <summary>
/// The run directories under <c>--runs</c> (each one a <c>recur</c> command wrote: a directory with
/// <c>history.csv</c> or <c>task.json</c>), read fresh on every request so a run that is still
/// training shows its newest rows. A run is reached only by a name the listing gives.
/// </summary>
public sealed class RunCatalog(string root)
{
    /// <summary>A <c>.partial</c> directory unchanged for longer than this is no longer training.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromMinutes(15);

    /// <summary>The directory holding the runs.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>Every run, newest first.</summary>
    public IReadOnlyList<RunSummary> List()
    {
        if (!Directory.Exists(Root)) return [];
        return Directory.EnumerateDirectories(Root).Select(d => Summary(new DirectoryInfo(d))).OfType<RunSummary>()
            .OrderByDescending(r => r.Updated).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The history of run <paramref name="name"/>.</summary>
    /// <exception cref="RequestException">404 when no run has that name.</exception>
    public RunHistory History(string name)
    {
        var dir = Find(name);
        var summary = Summary(dir)!;
        var (columns, values) = ReadHistory(Path.Combine(dir.FullName, "history.csv"));
        JsonObject? metrics = null;
        var metricsFile = Path.Combine(dir.FullName, "metrics.json");
        if (File.Exists(metricsFile))
        {
            try
            {
                metrics = JsonNode.Parse(File.ReadAllText(metricsFile)) as JsonObject;
            }
            catch (System.Text.Json.JsonException)
            {
                metrics = null; // being written; the next poll reads it
            }
        }
        return new RunHistory(summary.Name, summary.Task, summary.State, columns, values, metrics);
    }

    private DirectoryInfo Find(string name)
    {
        // Only a direct child whose name is exactly the one asked for: no separators, no "..".
        var dir = Directory.Exists(Root) ? new DirectoryInfo(Root).EnumerateDirectories().FirstOrDefault(d => d.Name == name) : null;
        if (dir is null || Summary(dir) is null)
            throw new RequestException(StatusCodes.Status404NotFound, "unknown-run", "No run of that name",
                $"No run directory '{name}' under the runs directory; GET /v1/runs lists them.", "name");
        return dir;
    }

    private static RunSummary? Summary(DirectoryInfo dir)
    {
        var history = new FileInfo(Path.Combine(dir.FullName, "history.csv"));
        var taskFile = new FileInfo(Path.Combine(dir.FullName, "task.json"));
        if (!history.Exists && !taskFile.Exists) return null;
        var updated = history.Exists ? history.LastWriteTimeUtc : dir.LastWriteTimeUtc;
        bool partial = dir.Name.EndsWith(".partial", StringComparison.Ordinal);
        string state = !partial ? "complete" : DateTime.UtcNow - updated < Quiet ? "training" : "stopped";
        int rows = history.Exists ? Math.Max(0, ReadLines(history.FullName).Count(l => l.Length > 0) - 1) : 0;
        return new RunSummary(dir.Name, TaskOf(taskFile), state, rows, new DateTimeOffset(updated, TimeSpan.Zero));
    }

    private static string? TaskOf(FileInfo taskFile)
    {
        if (!taskFile.Exists) return null;
        try
        {
            return JsonNode.Parse(File.ReadAllText(taskFile.FullName))?["task"]?.GetValue<string>();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or IOException)
        {
            return null;
        }
    }

    /// <summary>history.csv as columns; an empty cell (a value not logged that round, or not finite) is null.</summary>
    internal static (List<string> Columns, Dictionary<string, double?[]> Values) ReadHistory(string path)
    {
        var lines = File.Exists(path) ? ReadLines(path).Where(l => l.Length > 0).ToList() : [];
        if (lines.Count == 0) return ([], []);
        var columns = lines[0].Split(',').ToList();
        var values = columns.ToDictionary(c => c, _ => new double?[lines.Count - 1]);
        for (int r = 1; r < lines.Count; r++)
        {
            var cells = lines[r].Split(',');
            for (int c = 0; c < columns.Count; c++)
                values[columns[c]][r - 1] = c < cells.Length && double.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
        }
        return (columns, values);
    }

    private static string[] ReadLines(string path)
    {
        // The file is replaced atomically while a run trains; a read that races the rename is retried once.
        try
        {
            return File.ReadAllLines(path);
        }
        catch (IOException)
        {
            Thread.Sleep(10);
            return File.Exists(path) ? File.ReadAllLines(path) : [];
        }
    }
}
