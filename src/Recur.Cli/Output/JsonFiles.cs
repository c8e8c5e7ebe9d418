using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.Cli.Common;
using Recur.Serialization;

namespace Recur.Cli.Output;

/// <summary>Writes <c>metrics.json</c> and reads and writes the <c>task.json</c> sidecar, atomically.</summary>
internal static class JsonFiles
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes a flat object of numbers (NaN/∞ as null), strings and booleans.</summary>
    public static void WriteMetrics(string path, IEnumerable<KeyValuePair<string, object>> values)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in values)
        {
            obj[key] = value switch
            {
                double d => double.IsFinite(d) ? JsonValue.Create(Significant(d)) : null,
                float f => float.IsFinite(f) ? JsonValue.Create(Significant(f)) : null,
                int i => JsonValue.Create(i),
                long l => JsonValue.Create(l),
                bool b => JsonValue.Create(b),
                string s => JsonValue.Create(s),
                _ => throw new ArgumentException($"metrics.json value '{key}' has unsupported type {value?.GetType().Name}."),
            };
        }
        Write(path, obj);
    }

    /// <summary>Seven significant digits: enough for any metric, and small values (1e-17) survive.</summary>
    private static double Significant(double v) => double.Parse(v.ToString("G7", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static void Write(string path, JsonNode node)
    {
        var bytes = new UTF8Encoding(false).GetBytes(node.ToJsonString(Indented) + "\n");
        WriteAtomic(path, bytes);
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="bytes"/> atomically (see <see cref="AtomicFile"/>): flushed to disk, then renamed over.</summary>
    public static void WriteAtomic(string path, byte[] bytes) => AtomicFile.WriteAllBytes(path, bytes);

    /// <summary>
    /// Reads a sidecar <c>task.json</c> and checks it belongs to one of <paramref name="tasks"/>:
    /// UTF-8 JSON (no key twice), an object whose "task" is a string. What the task's fields must
    /// hold is checked against the model by <c>TrainedModel</c>.
    /// </summary>
    public static JsonObject ReadTask(string path, params string[] tasks)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: file not found (every model trained by recur has task.json beside model.recur).");
        return ParseTask(Data.InputFile.ReadText(path, "task.json"), path, tasks);
    }

    /// <summary>The checks of <see cref="ReadTask"/> on the file's text.</summary>
    internal static JsonObject ParseTask(string text, string path, params string[] tasks)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: not valid JSON ({Limits.Quote(e.Message)}).");
        }
        if (node is not JsonObject obj || obj["task"] is not JsonValue v || !v.TryGetValue<string>(out var task))
            throw new InputException($"{path}: has no \"task\" string; not a recur task file.");
        if (!tasks.Contains(task))
            throw new InputException($"{path}: the model was trained by 'recur {Limits.Quote(task)}'; this command needs a model from {string.Join(" or ", tasks.Select(t => "'recur " + t + "'"))}.");
        return obj;
    }
}
