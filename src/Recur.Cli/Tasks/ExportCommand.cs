using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.Cli.Common;
using Recur.Models;
using Recur.Onnx;
using Recur.Serialization;

namespace Recur.Cli.Tasks;

/// <summary>
/// <c>recur export --model DIR --onnx FILE</c>: writes a trained model as ONNX (Recur.Onnx), with
/// the run's <c>task.json</c> (task, vocabulary, labels, …) as the file's metadata so that a
/// consumer can tokenize and read the outputs. The file is written atomically; a model that does
/// not load, a layer without an exporter or a missing folder is one line and exit code 2.
/// </summary>
internal static class ExportCommand
{
    // Metadata is read by people and tokenizers: "<pad>" as it is, not "\u003Cpad\u003E".
    private static readonly JsonSerializerOptions Plain = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(CliContext ctx)
    {
        var model = new Option<string>("--model", "-m") { Description = "A run directory of recur (or its model.recur)", HelpName = "DIR", Required = true };
        var onnx = new Option<string>("--onnx", "-o") { Description = "The ONNX file to write (replaced atomically)", HelpName = "FILE", Required = true };
        var noStates = new Option<bool>("--no-states") { Description = "Leave out the recurrent state inputs ({layer}.h0, .c0) and outputs ({layer}.h_n, .c_n): one input, one output" };
        var command = new Command("export", "Export a trained model to ONNX, for ONNX Runtime, ML.NET and other runtimes") { model, onnx, noStates };
        command.SetAction(r => Run(ctx, r.GetValue(model)!, r.GetValue(onnx)!, !r.GetValue(noStates)));
        return command;
    }

    private static int Run(CliContext ctx, string modelPath, string onnxPath, bool states)
    {
        string file = Directory.Exists(modelPath) ? Path.Combine(modelPath, "model.recur") : modelPath;
        if (!File.Exists(file)) throw new InputException($"--model {modelPath}: no model.recur there.");
        string folder = Path.GetDirectoryName(Path.GetFullPath(onnxPath))!;
        if (Directory.Exists(onnxPath)) throw new InputException($"--onnx {onnxPath}: is a directory; expected a file name.");
        if (!Directory.Exists(folder)) throw new InputException($"--onnx {onnxPath}: the folder {folder} does not exist.");
        Model model;
        try
        {
            model = Model.Load(file);
        }
        catch (Exception e) when (e is ModelFormatException or SafeTensorsFormatException or InvalidDataException or IOException or NotSupportedException)
        {
            throw new InputException($"--model {modelPath}: not a readable model file ({e.Message}).");
        }
        var metadata = Metadata(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, "task.json"));
        try
        {
            model.ExportOnnx(onnxPath, new OnnxExportOptions
            {
                Metadata = metadata,
                States = states,
                Description = metadata.TryGetValue("task", out var task) ? $"Trained by 'recur {task}'; task.json is in the metadata." : null,
            });
        }
        catch (OnnxExportException e)
        {
            throw new InputException($"--model {modelPath}: cannot be exported to ONNX: {e.Message}");
        }
        ctx.Output.WriteLine($"wrote {onnxPath} ({new FileInfo(onnxPath).Length:N0} bytes): input 'input' (batch, {Dims(model.InputShape!)}) → output 'output' (batch, {Dims(model.OutputShape!)})" +
                             (metadata.Count > 0 ? $"; metadata: {string.Join(", ", metadata.Keys)}" : "; no task.json beside the model, so no metadata"));
        return CliApp.Success;
    }

    /// <summary>Every top-level entry of task.json as a metadata property: strings as they are, anything else as JSON.</summary>
    private static Dictionary<string, string> Metadata(string taskPath)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(taskPath)) return metadata;
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(taskPath));
        }
        catch (JsonException e)
        {
            throw new InputException($"{taskPath}: not valid JSON ({e.Message}).");
        }
        if (node is not JsonObject task) throw new InputException($"{taskPath}: expected a JSON object.");
        foreach (var (key, value) in task)
            metadata[key] = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString(Plain) ?? "null";
        metadata["task.json"] = task.ToJsonString(Plain);
        if (task["vocabulary"] is JsonArray) metadata["ids"] = "0 padding, 1 unknown, vocabulary[i] is id i + 2";
        return metadata;
    }

    private static string Dims(int[] shape) => string.Join(", ", shape.Select(d => d < 0 ? "time" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
