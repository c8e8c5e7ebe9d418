using System.Globalization;
using System.Text;
using Recur.Layers;

namespace Recur.Models;

public abstract partial class Model
{
    /// <summary>
    /// A table of the layers with their output shapes and parameter counts, and the total and
    /// trainable parameter counts (as Keras' <c>summary()</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not built yet.</exception>
    /// <remarks>
    /// A <see cref="Functional"/> model lists every call in graph order, with the inputs it reads
    /// ("Connected to"); a shared layer's weights are counted at its first call.
    /// </remarks>
    public string Summary()
    {
        if (!IsBuilt) throw new InvalidOperationException($"Model '{Name}' is not built: call Build(inputShape) or Fit first.");
        var graph = Graph!;
        bool functional = this is Functional;
        static string Shape(IReadOnlyList<int> shape) => "(None, " + string.Join(", ", shape.Select(d => d < 0 ? "None" : d.ToString(CultureInfo.InvariantCulture))) + ")";
        var rows = new List<(string Layer, string Shape, string Params, string Inputs)>();
        if (functional)
            foreach (var input in graph.Inputs) rows.Add(($"{input.Name} (Input)", Shape(input.Shape), "0", ""));
        var counted = new HashSet<Layer>(ReferenceEqualityComparer.Instance);
        foreach (var node in graph.Nodes)
        {
            bool first = counted.Add(node.Layer);
            rows.Add(($"{node.Layer.Name} ({node.Layer.GetType().Name})", Shape(node.Output.Shape),
                first ? node.Layer.ParameterCount.ToString("N0", CultureInfo.InvariantCulture) : "0 (shared)",
                string.Join(", ", node.Inputs.Select(t => t.Name))));
        }
        var header = ("Layer (type)", "Output Shape", "Param #", "Connected to");
        int w1 = Math.Max(header.Item1.Length, rows.Max(r => r.Layer.Length)) + 2;
        int w2 = Math.Max(header.Item2.Length, rows.Max(r => r.Shape.Length)) + 2;
        int w3 = Math.Max(header.Item3.Length, rows.Max(r => r.Params.Length));
        int w4 = functional ? 2 + Math.Max(header.Item4.Length, rows.Max(r => r.Inputs.Length)) : 0;
        var line = new string('─', w1 + w2 + w3 + w4);
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Model: \"{Name}\"");
        sb.AppendLine(line);
        sb.AppendLine(header.Item1.PadRight(w1) + header.Item2.PadRight(w2) + header.Item3.PadLeft(w3) + (functional ? "  " + header.Item4 : ""));
        sb.AppendLine(line);
        foreach (var r in rows) sb.AppendLine((r.Layer.PadRight(w1) + r.Shape.PadRight(w2) + r.Params.PadLeft(w3) + (functional ? "  " + r.Inputs : "")).TrimEnd());
        sb.AppendLine(line);
        long total = Parameters.Sum(p => (long)p.Value.Length);
        long trainable = Parameters.Where(p => p.Trainable).Sum(p => (long)p.Value.Length);
        sb.AppendLine(CultureInfo.InvariantCulture, $"Total params: {total.ToString("N0", CultureInfo.InvariantCulture)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Trainable params: {trainable.ToString("N0", CultureInfo.InvariantCulture)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Non-trainable params: {(total - trainable).ToString("N0", CultureInfo.InvariantCulture)}");
        return sb.ToString();
    }
}
