using System.Text.Json.Nodes;
using Recur.Cli.Common;
using Recur.Cli.Output;
using Recur.Models;
using Recur.Serialization;

namespace Recur.Cli.Tasks;

/// <summary>A model trained by recur: <c>model.recur</c> and its <c>task.json</c> sidecar (vocabulary, labels, scaling).</summary>
internal sealed record TrainedModel(Model Model, JsonObject Task, string Path)
{
    /// <summary>Loads <paramref name="path"/> (model.recur or the run directory holding it) for one of <paramref name="tasks"/>.</summary>
    public static TrainedModel Load(string path, params string[] tasks)
    {
        string file = Directory.Exists(path) ? System.IO.Path.Combine(path, "model.recur") : path;
        if (!File.Exists(file)) throw new InputException($"--model {path}: file not found.");
        var task = JsonFiles.ReadTask(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(file))!, "task.json"), tasks);
        try
        {
            return new TrainedModel(Model.Load(file), task, file);
        }
        catch (Exception e) when (e is ModelFormatException or SafeTensorsFormatException or InvalidDataException or IOException)
        {
            throw new InputException($"--model {path}: not a readable model file ({e.Message}).");
        }
    }

    /// <summary>The most recent completed run of <paramref name="task"/> under runs/ (its name holds the time).</summary>
    public static string Latest(string task)
    {
        var dirs = Directory.Exists("runs")
            ? Directory.GetDirectories("runs", task + "-*").Where(d => File.Exists(System.IO.Path.Combine(d, RunDirectory.MetricsFile))).Order(StringComparer.Ordinal).ToList()
            : new List<string>();
        return dirs.Count > 0 ? dirs[^1] : throw new InputException($"no --model given and no completed runs/{task}-* to use; train one with 'recur {(task == "charlm" ? "charlm train" : task)}' or pass --model.");
    }

    public string[] Strings(string key)
        => Task[key] is JsonArray a ? a.Select(n => n!.GetValue<string>()).ToArray() : throw new InputException($"{Path}: task.json has no \"{key}\" list.");

    public int Int(string key)
        => Task[key] is JsonValue v && v.TryGetValue<int>(out var i) ? i : throw new InputException($"{Path}: task.json has no integer \"{key}\".");

    public double Double(string key)
        => Task[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : throw new InputException($"{Path}: task.json has no number \"{key}\".");
}
