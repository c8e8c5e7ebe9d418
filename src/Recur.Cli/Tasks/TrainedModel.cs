using System.Text.Json.Nodes;
using Recur.Cli.Common;
using Recur.Cli.Output;
using Recur.Layers;
using Recur.Models;
using Recur.Serialization;

namespace Recur.Cli.Tasks;

/// <summary>
/// A model trained by recur: <c>model.recur</c> and its <c>task.json</c> sidecar (vocabulary,
/// labels, alphabet), each checked on its own and against the other before anything uses them.
/// </summary>
internal sealed record TrainedModel(Model Model, JsonObject Task, string Path)
{
    /// <summary>Loads <paramref name="path"/> (model.recur or the run directory holding it) for one of <paramref name="tasks"/>.</summary>
    /// <exception cref="InputException">Either file is missing or malformed, or they do not belong together.</exception>
    public static TrainedModel Load(string path, params string[] tasks)
    {
        var (file, task) = Files(path, tasks);
        return Checked(ReadModel(file, path), task, file);
    }

    /// <summary>
    /// The model file of <paramref name="path"/> (model.recur, or the run directory holding it) and
    /// the task.json beside it, read and checked to be one of <paramref name="tasks"/>.
    /// </summary>
    /// <exception cref="InputException">The model file is missing, or task.json is missing, malformed or of another task.</exception>
    public static (string File, JsonObject Task) Files(string path, params string[] tasks)
    {
        string file = Directory.Exists(path) ? System.IO.Path.Combine(path, "model.recur") : path;
        if (!File.Exists(file)) throw new InputException($"--model {path}: file not found.");
        return (file, JsonFiles.ReadTask(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(file))!, "task.json"), tasks));
    }

    /// <summary>The model in <paramref name="file"/>; <paramref name="shown"/> names it in the error.</summary>
    /// <exception cref="InputException">The file is missing or not a readable model file.</exception>
    public static Model ReadModel(string file, string shown)
    {
        if (!File.Exists(file)) throw new InputException($"--model {shown}: file not found.");
        try
        {
            return Model.Load(file);
        }
        catch (Exception e) when (e is ModelFormatException or SafeTensorsFormatException or InvalidDataException or IOException)
        {
            throw new InputException($"--model {shown}: not a readable model file ({e.Message}).");
        }
    }

    /// <summary>The pair, once task.json's fields are checked on their own and against the model.</summary>
    internal static TrainedModel Checked(Model model, JsonObject task, string path)
    {
        var trained = new TrainedModel(model, task, path);
        trained.Check();
        return trained;
    }

    /// <summary>The most recent completed run of <paramref name="task"/> under runs/ (its name holds the time).</summary>
    public static string Latest(string task)
    {
        var dirs = Directory.Exists("runs")
            ? Directory.GetDirectories("runs", task + "-*").Where(d => File.Exists(System.IO.Path.Combine(d, RunDirectory.MetricsFile))).Order(StringComparer.Ordinal).ToList()
            : new List<string>();
        return dirs.Count > 0 ? dirs[^1] : throw new InputException($"no --model given and no completed runs/{task}-* to use; train one with 'recur {(task == "charlm" ? "charlm train" : task)}' or pass --model.");
    }

    /// <summary>The task that trained the model (checked to be a string when read).</summary>
    public string TaskName => Task["task"]!.GetValue<string>();

    /// <summary>A list of strings (every entry a JSON string).</summary>
    public string[] Strings(string key)
    {
        if (Task[key] is not JsonArray a) throw Bad(key, "a list of strings");
        var values = new string[a.Count];
        for (int i = 0; i < a.Count; i++)
            values[i] = a[i] is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Bad(key, "a list of strings", $"entry {i} is {Shown(a[i])}");
        return values;
    }

    /// <summary>A string.</summary>
    public string String(string key)
        => Task[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Bad(key, "a string");

    /// <summary>An integer of at least <paramref name="min"/>.</summary>
    public int Int(string key, int min = int.MinValue)
        => Task[key] is JsonValue v && v.TryGetValue<int>(out var i) && i >= min ? i
            : throw Bad(key, min == int.MinValue ? "an integer" : $"an integer ≥ {min}");

    public double Double(string key)
        => Task[key] is JsonValue v && v.TryGetValue<double>(out var d) && double.IsFinite(d) ? d : throw Bad(key, "a finite number");

    /// <summary>
    /// The checks each task's files must pass: what the predicting commands read from task.json has
    /// the right types, and fits the model (inputs, vocabulary size, number of outputs).
    /// </summary>
    private void Check()
    {
        switch (TaskName)
        {
            case ClassifyCommand.Task:
            case TagCommand.Task:
            {
                bool tagging = TaskName == TagCommand.Task;
                Int("max_length", min: 1);
                var labels = Distinct(Strings("labels"), "labels", "label");
                if (labels.Length < (tagging ? 1 : 2)) throw Bad("labels", tagging ? "at least one tag" : "at least two labels");
                var vocabulary = Distinct(Strings("vocabulary"), "vocabulary", "token");
                // Ids 0 (padding) and 1 (unknown) come before the vocabulary's tokens.
                CheckIds(vocabulary.Length + 2L, "the vocabulary's tokens (and 2 for padding and unknown)");
                CheckOutputs(tagging ? new[] { -1, labels.Length } : new[] { labels.Length }, $"{labels.Length} labels");
                break;
            }
            case CharLmCommand.Task:
            {
                string alphabet = String("alphabet");
                if (alphabet.Length == 0) throw Bad("alphabet", "a non-empty string");
                if (alphabet.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1) is { } twice)
                    throw Bad("alphabet", "distinct characters", $"'{Limits.Quote(twice.Key.ToString())}' appears {twice.Count()} times");
                CheckIds(alphabet.Length, "the alphabet's characters");
                CheckOutputs(new[] { -1, alphabet.Length }, $"an alphabet of {alphabet.Length}");
                break;
            }
        }
    }

    private string[] Distinct(string[] values, string key, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in values)
            if (!seen.Add(v)) throw Bad(key, $"distinct {what}s", $"\"{Limits.Quote(v)}\" appears twice");
        return values;
    }

    /// <summary>The model takes (T) ids through an Embedding with room for <paramref name="ids"/> of them.</summary>
    private void CheckIds(long ids, string what)
    {
        if (Model.InputShape is not [-1] || Model.Layers[0] is not Embedding embedding)
            throw Mismatch($"the model takes inputs of shape ({Dims(Model.InputShape)}), not a sequence of ids through an Embedding");
        if (ids > embedding.InputDim)
            throw Mismatch($"task.json has {ids:N0} ids for {what} but the model's Embedding has {embedding.InputDim:N0} rows");
    }

    /// <summary>The model's per-sample output is <paramref name="expected"/>; a first axis of −1 is time (built as 1 when loaded).</summary>
    private void CheckOutputs(int[] expected, string what)
    {
        var actual = Model.OutputShape is { } o ? (int[])o.Clone() : null;
        if (actual is { Length: >= 2 }) actual[0] = -1;
        if (actual is null || !actual.SequenceEqual(expected))
            throw Mismatch($"task.json has {what}, so the model should output ({Dims(expected)}), but it outputs ({Dims(actual)})");
    }

    private static string Dims(int[]? shape) => shape is null ? "?" : string.Join(", ", shape.Select(d => d < 0 ? "T" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private InputException Mismatch(string problem)
        => new($"{Path}: the model and its task.json do not belong together: {problem}.");

    private InputException Bad(string key, string expected, string? detail = null)
        => new($"{Path}: task.json \"{key}\" should be {expected}; " + (detail ?? $"found {Shown(Task[key])}") + ".");

    private static string Shown(JsonNode? node) => node is null ? "nothing" : Limits.Quote(node.ToJsonString());
}
