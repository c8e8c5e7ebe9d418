using Google.Protobuf;
using Recur.Models;

namespace Recur.Onnx;

/// <summary>
/// Exports a trained Recur model as an ONNX model (opset 17) that ONNX Runtime, ML.NET's
/// <c>ApplyOnnxModel</c> and other ONNX runtimes run with the outputs of <c>Predict</c>.
/// </summary>
/// <example>
/// <code>
/// var model = Model.Load("sentiment.recur");
/// model.ExportOnnx("sentiment.onnx");
/// // ONNX Runtime: input "input" (batch, time) int64 ids → output "output" (batch, 1) logits
/// </code>
/// </example>
/// <remarks>
/// Every layer is exported by the exporter registered for its type (<see cref="OnnxLayerExporters"/>):
/// the whole model is built in memory first, so a layer that cannot be exported is named in an
/// <see cref="OnnxExportException"/> before anything is written; the file itself is written to a
/// temporary file beside the target and renamed over it, so a reader never sees half a model.
/// </remarks>
public static class OnnxExport
{
    /// <summary>Writes <paramref name="model"/> as an ONNX file at <paramref name="path"/> (replaced atomically).</summary>
    /// <exception cref="OnnxExportException">A layer cannot be exported, or the model is not built.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    public static void ExportOnnx(this Model model, string path, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Cannot write '{path}': the folder '{directory}' does not exist.");
        var bytes = model.ToOnnx(options);
        OnnxFile.WriteAtomically(full, bytes);
    }

    /// <summary>The ONNX model of <paramref name="model"/> as bytes (a serialized <c>ModelProto</c>).</summary>
    /// <exception cref="OnnxExportException">A layer cannot be exported, or the model is not built.</exception>
    public static byte[] ToOnnx(this Model model, OnnxExportOptions? options = null)
        => ModelExporter.Build(model, options ?? new OnnxExportOptions()).ToByteArray();
}
