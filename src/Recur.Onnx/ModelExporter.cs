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
        if (!model.IsBuilt)
            throw new OnnxExportException($"Model '{model.Name}' is not built: build it (Build, Fit or Predict) before exporting.");
        RequireExporters(model.Layers);
        if (options.InputName == options.OutputName)
            throw new ArgumentException($"InputName and OutputName are both '{options.InputName}'; they must differ.", nameof(options));

        var g = new OnnxGraphBuilder(OnnxGraphBuilder.Clean(model.Name));
        var graph = new ModelGraph(g);
        var names = GraphNames(model, options);
        foreach (string name in names.Outputs) g.Reserve(name);
        var values = new Dictionary<SymbolicTensor, (OnnxValue Value, OnnxMask? Mask)>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < model.Inputs.Count; i++)
        {
            var tensor = model.Inputs[i];
            int[] shape = [.. tensor.Shape];
            bool ids = model.Nodes.First(n => n.Inputs.Contains(tensor)).Layer is Embedding or TimeDistributed { Inner: Embedding };
            var input = g.AddInput(names.Inputs[i], ids ? OnnxElementType.Int64 : OnnxElementType.Float, Dims(shape),
                ids ? "token ids (batch, time), int64; 0 is padding when the embedding masks zeros" : "inputs (batch, " + ShapeText(shape) + ")");
            OnnxMask? mask = null;
            if (i == 0 && options.LengthsInput)
            {
                // Predict's explicit mask belongs to the first input; so do the lengths.
                if (shape.Length < 1 || shape[0] != -1)
                    throw new OnnxExportException($"Model '{model.Name}' takes inputs (batch, {ShapeText(shape)}) without a time axis; LengthsInput needs sequences.");
                var lengths = g.AddInput("lengths", OnnxElementType.Int32, [OnnxDim.Batch], "real steps of each row (batch), int32; padding at the end");
                mask = new OnnxMask(LengthMask(g, input.Name, lengths.Name));
            }
            values[tensor] = (input, mask);
        }

        // Every call in the model's order; a layer called several times adds its nodes once per call,
        // without states, and its weights once (OnnxGraphBuilder.Weight keeps them by layer).
        var calls = model.Nodes.GroupBy(n => n.Layer).ToDictionary(c => c.Key, c => c.Count());
        foreach (var node in model.Nodes)
        {
            var inputs = node.Inputs.Select(t => values[t]).ToArray();
            var result = graph.ExportLayer(node.Layer, inputs.Select(v => v.Value).ToArray(), inputs.Select(v => v.Mask).ToArray(),
                exposeStates: options.States && calls[node.Layer] == 1);
            values[node.Output] = (result.Output, result.Mask);
        }
        // The model's outputs first, then the states (added layer by layer): consumers that take the first output get Predict's.
        int states = g.Proto.Output.Count;
        for (int k = 0; k < model.Outputs.Count; k++)
        {
            var tensor = model.Outputs[k];
            g.AddOutput(names.Outputs[k], values[tensor].Value with { Shape = Dims([.. tensor.Shape]) },
                $"output '{tensor.Name}' (batch, {ShapeText([.. tensor.Shape])}), as Predict returns it");
        }
        var main = g.Proto.Output.Skip(states).ToList();
        for (int k = 0; k < main.Count; k++)
        {
            g.Proto.Output.RemoveAt(states + k);
            g.Proto.Output.Insert(k, main[k]);
        }

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

    /// <summary>
    /// The graph's input and output names: the options' names for a model of one input and one
    /// output, the symbolic tensors' names (made unique) otherwise.
    /// </summary>
    private static (string[] Inputs, string[] Outputs) GraphNames(Model model, OnnxExportOptions options)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal) { "lengths" };
        string Unique(string hint)
        {
            string name = hint;
            for (int k = 1; !taken.Add(name); k++) name = string.Create(CultureInfo.InvariantCulture, $"{hint}_{k}");
            return name;
        }
        string[] inputs = model.Inputs.Count == 1 ? [Unique(options.InputName)] : model.Inputs.Select(t => Unique(OnnxGraphBuilder.Clean(t.Name))).ToArray();
        string[] outputs = model.Outputs.Count == 1 ? [Unique(options.OutputName)] : model.Outputs.Select(t => Unique(OnnxGraphBuilder.Clean(t.Name))).ToArray();
        return (inputs, outputs);
    }

    /// <summary>Names every layer without an exporter (wrapped ones too) before any work.</summary>
    private static void RequireExporters(IEnumerable<Layer> layers)
    {
        var missing = new List<Layer>();
        void Visit(Layer layer)
        {
            if (!OnnxLayerExporters.IsRegistered(layer.GetType())) missing.Add(layer);
            else foreach (var inner in layer.InnerLayers) Visit(inner);
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
        var (inputs, outputs) = GraphNames(model, options);
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"Inputs {string.Join(", ", model.Inputs.Select((t, i) => $"'{inputs[i]}' (batch, {ShapeText([.. t.Shape])})"))}; " +
            $"outputs {string.Join(", ", model.Outputs.Select((t, k) => $"'{outputs[k]}' (batch, {ShapeText([.. t.Shape])})"))}; batch and time are dynamic.");
        sb.AppendLine(model is Sequential
            ? "Layers: " + string.Join(" → ", model.Layers.Select(l => $"{l.Name} ({l.GetType().Name})")) + "."
            : "Calls: " + string.Join("; ", model.Nodes.Select(n => $"{n.Layer.Name} ({n.Layer.GetType().Name}) of {string.Join(", ", n.Inputs.Select(t => t.Name))}")) + ".");
        if (options.States)
            sb.AppendLine("Recurrent states: optional inputs '{layer}.h0' / '{layer}.c0' (zeros when not fed) and outputs '{layer}.h_n' / '{layer}.c_n', (layers·directions, batch, units).");
        sb.Append("Masked sequences must be right-padded (real steps first): a row with padding before a real step makes the recurrent operators refuse the batch (invalid sequence_lens).");
        return sb.ToString();
    }

    /// <summary>The informational version of Recur.Onnx, for messages.</summary>
    public static string Version => typeof(ModelExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
}
