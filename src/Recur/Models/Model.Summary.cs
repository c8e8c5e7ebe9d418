using System.Globalization;
using System.Text;

namespace Recur.Models;

public abstract partial class Model
{
    /// <summary>
    /// A table of the layers with their output shapes and parameter counts, and the total and
    /// trainable parameter counts (as Keras' <c>summary()</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not built yet.</exception>
    public string Summary()
    {
        if (!IsBuilt) throw new InvalidOperationException($"Model '{Name}' is not built: call Build(inputShape) or Fit first.");
        var rows = new List<(string Layer, string Shape, string Params)>();
        var shape = InputShape!;
        foreach (var layer in Layers)
        {
            shape = layer.ComputeOutputShape(shape);
            rows.Add(($"{layer.Name} ({layer.GetType().Name})", "(None, " + string.Join(", ", shape.Select(d => d < 0 ? "None" : d.ToString(CultureInfo.InvariantCulture))) + ")",
                layer.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)));
        }
        var header = ("Layer (type)", "Output Shape", "Param #");
        int w1 = Math.Max(header.Item1.Length, rows.Max(r => r.Layer.Length)) + 2;
        int w2 = Math.Max(header.Item2.Length, rows.Max(r => r.Shape.Length)) + 2;
        int w3 = Math.Max(header.Item3.Length, rows.Max(r => r.Params.Length));
        var line = new string('─', w1 + w2 + w3);
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Model: \"{Name}\"");
        sb.AppendLine(line);
        sb.AppendLine(header.Item1.PadRight(w1) + header.Item2.PadRight(w2) + header.Item3.PadLeft(w3));
        sb.AppendLine(line);
        foreach (var r in rows) sb.AppendLine(r.Layer.PadRight(w1) + r.Shape.PadRight(w2) + r.Params.PadLeft(w3));
        sb.AppendLine(line);
        long total = Parameters.Sum(p => (long)p.Value.Length);
        long trainable = Parameters.Where(p => p.Trainable).Sum(p => (long)p.Value.Length);
        sb.AppendLine(CultureInfo.InvariantCulture, $"Total params: {total.ToString("N0", CultureInfo.InvariantCulture)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Trainable params: {trainable.ToString("N0", CultureInfo.InvariantCulture)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Non-trainable params: {(total - trainable).ToString("N0", CultureInfo.InvariantCulture)}");
        return sb.ToString();
    }
}
