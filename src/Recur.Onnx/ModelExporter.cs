using System.Globalization;
using System.Reflection;
using System.Text;
using Recur.Layers;
using Recur.Models;
using Proto = global::Onnx;

namespace Recur.Onnx;

/// <summary>Builds the whole ONNX model of a Recur model in memory: inputs, every layer, outputs, metadata.</summary>
internal static class ModelExporter
{
    /// <summary>ONNX IR version 8 (opset 17 needs ≥ 8; ONNX Runtime 1.14 and later read it).</summary>
    public const long IrVersion = 8;

    public static Proto.ModelProto Build(Model model, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (model is not Sequential)
            throw new OnnxExportException($"Model '{model.Name}' is a {model.GetType().Name}; ONNX export takes Sequential models.");
        if (model.InputShape is not { } inputShape || model.OutputShape is not { } outputShape)
            throw new OnnxExportException($"Model '{model.Name}' is not built: build it (Build, Fit or Predict) before exporting.");
        RequireExporters(model.Layers);
        if (options.InputName == options.OutputName)
            throw new ArgumentException($"InputName and OutputName are both '{options.InputName}'; they must differ.", nameof(options));

        var g = new OnnxGraphBuilder(OnnxGraphBuilder.Clean(model.Name));
        var graph = new ModelGraph(g);
        bool ids = model.Layers[0] is Embedding or TimeDistributed { Inner: Embedding };
        var input = g.AddInput(options.InputName, ids ? OnnxElementType.Int64 : OnnxElementType.Float, Dims(inputShape),
            ids ? "token ids (batch, time), int64; 0 is padding when the embedding masks zeros" : "inputs (batch, " + ShapeText(inputShape) + ")");
        OnnxMask? mask = null;
        if (options.LengthsInput)
        {
            if (inputShape.Length < 1 || inputShape[0] != -1)
                throw new OnnxExportException($"Model '{model.Name}' takes inputs (batch, {ShapeText(inputShape)}) without a time axis; LengthsInput needs sequences.");
            var lengths = g.AddInput("lengths", OnnxElementType.Int32, [OnnxDim.Batch], "real steps of each row (batch), int32; padding at the end");
            mask = new OnnxMask(LengthMask(g, input.Name, lengths.Name));
        }

        var value = input;
        foreach (var layer in model.Layers)
        {
            var result = graph.ExportLayer(layer, value, mask, exposeStates: options.States);
            (value, mask) = (result.Output, result.Mask);
        }
        g.AddOutput(options.OutputName, value with { Shape = Dims(outputShape) }, "the model's outputs (batch, " + ShapeText(outputShape) + "), as Predict returns them");
        // The model's output first, then the states (added layer by layer): consumers that take the first output get Predict's.
        var main = g.Proto.Output[^1];
        g.Proto.Output.RemoveAt(g.Proto.Output.Count - 1);
        g.Proto.Output.Insert(0, main);

        var proto = new Proto.ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Recur",
            ProducerVersion = typeof(Model).Assembly.GetName().Version?.ToString(3) ?? "0",
            Domain = "recur",
            ModelVersion = options.ModelVersion,
            DocString = DocString(model, options),
            Graph = g.Proto,
        };
        proto.OpsetImport.Add(new Proto.OperatorSetIdProto { Domain = "", Version = OnnxGraphBuilder.Opset });
        foreach (var (key, v) in options.Metadata ?? new Dictionary<string, string>())
            proto.MetadataProps.Add(new Proto.StringStringEntryProto { Key = key, Value = v });
        return proto;
    }

    /// <summary>Names every layer without an exporter (wrapped ones too) before any work.</summary>
    private static void RequireExporters(IEnumerable<Layer> layers)
    {
        var missing = new List<Layer>();
        void Visit(Layer layer)
        {
            if (!OnnxLayerExporters.IsRegistered(layer.GetType())) missing.Add(layer);
            else if (layer is TimeDistributed t) Visit(t.Inner);
        }
        foreach (var layer in layers) Visit(layer);
        if (missing.Count == 1) throw ModelGraph.Unexportable(missing[0]);
        if (missing.Count > 1)
            throw new OnnxExportException("These layers have no ONNX exporter: " + string.Join(", ", missing.Select(l => $"'{l.Name}' ({l.GetType().FullName})")) +
                                          "; register them with OnnxLayerExporters.Register<T>(…).");
    }

    /// <summary>(batch, per-sample axes): the first free axis is the time axis.</summary>
    private static OnnxDim[] Dims(int[] perSample)
    {
        var dims = new List<OnnxDim> { OnnxDim.Batch };
        for (int i = 0; i < perSample.Length; i++)
            dims.Add(perSample[i] >= 0 ? OnnxDim.Fixed(perSample[i]) : i == 0 ? OnnxDim.Time : OnnxDim.Dynamic);
        return dims.ToArray();
    }

    private static string ShapeText(int[] perSample) => string.Join(", ", perSample.Select(d => d < 0 ? "T" : d.ToString(CultureInfo.InvariantCulture)));

    /// <summary>(B, T) bool: step t of row b is real when t &lt; lengths[b].</summary>
    private static string LengthMask(OnnxGraphBuilder g, string input, string lengths)
    {
        string steps = g.Squeeze(g.ShapeSlice(input, "lengths_steps", 1, 2), "lengths_t", 0);
        string positions = g.Node("Range", [g.Scalar(0, OnnxElementType.Int64), steps, g.Scalar(1, OnnxElementType.Int64)], "lengths_positions"); // (T)
        string limits = g.Unsqueeze(g.Cast(lengths, "lengths_i64", OnnxElementType.Int64), "lengths_column", 1);                                   // (B, 1)
        return g.Node("Less", [positions, limits], "lengths_mask");
    }

    private static string DocString(Model model, OnnxExportOptions options)
    {
        var sb = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(options.Description)) sb.AppendLine(options.Description.Trim()).AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Recur model '{model.Name}', exported by Recur.Onnx (opset {OnnxGraphBuilder.Opset}).");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Input '{options.InputName}' (batch, {ShapeText(model.InputShape!)}); output '{options.OutputName}' (batch, {ShapeText(model.OutputShape!)}); batch and time are dynamic.");
        sb.AppendLine("Layers: " + string.Join(" → ", model.Layers.Select(l => $"{l.Name} ({l.GetType().Name})")) + ".");
        if (options.States)
            sb.AppendLine("Recurrent states: optional inputs '{layer}.h0' / '{layer}.c0' (zeros when not fed) and outputs '{layer}.h_n' / '{layer}.c_n', (layers·directions, batch, units).");
        sb.Append("Masked sequences must be right-padded (real steps first): a row with padding before a real step makes the recurrent operators refuse the batch (invalid sequence_lens).");
        return sb.ToString();
    }

    /// <summary>The informational version of Recur.Onnx, for messages.</summary>
    public static string Version => typeof(ModelExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
}
