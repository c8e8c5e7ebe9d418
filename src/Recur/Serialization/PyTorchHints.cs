using Recur.Layers;
using Recur.Layers.Recurrent;

namespace Recur.Serialization;

/// <summary>
/// What most likely differs between a PyTorch module and a Recur layer, told from tensor shapes
/// and names (hidden size, input size, cell type, num_layers, bidirectional, bias).
/// </summary>
internal static class PyTorchHints
{
    private static readonly (int Gates, string Module)[] Cells = { (4, "nn.LSTM"), (3, "nn.GRU"), (1, "nn.RNN") };

    /// <summary>"": nothing to add; else ": &lt;reasons&gt;" for a tensor of <paramref name="actual"/> shape where <paramref name="expected"/> was needed.</summary>
    public static string ShapeMismatch(Layer layer, string parameter, int[] expected, int[] actual)
    {
        if (expected.Length != actual.Length) return $": the ranks differ ({actual.Length} in the file, {expected.Length} here)";
        var reasons = PyTorchNames.Unwrap(layer) switch
        {
            RecurrentLayer r => Recurrent(r, parameter, expected, actual),
            Dense => Axes(expected, actual, "units (out_features)", "input features (in_features)"),
            Embedding => Axes(expected, actual, "vocabulary size (num_embeddings)", "embedding size (embedding_dim)"),
            _ => new List<string>(),
        };
        return reasons.Count == 0 ? "" : ": " + string.Join("; ", reasons.Distinct());
    }

    /// <summary>Structural differences told from the names a module has (num_layers, directions, a bias), or "".</summary>
    public static string Structure(Layer layer, IEnumerable<string> namesInModule)
    {
        var inner = PyTorchNames.Unwrap(layer);
        var leaves = namesInModule.Select(n => n[(n.LastIndexOf('.') + 1)..]).ToList();
        var hints = new List<string>();
        if (inner is RecurrentLayer r)
        {
            int fileLayers = 0;
            bool fileReverse = false;
            foreach (var leaf in leaves)
                if (PyTorchNames.TryParseRecurrent(leaf, out _, out int l, out bool reverse))
                {
                    fileLayers = Math.Max(fileLayers, l + 1);
                    fileReverse |= reverse;
                }
            if (fileLayers > 0 && fileLayers != r.Options.NumLayers)
                hints.Add($"the file's module has num_layers = {fileLayers}, layer '{layer.Name}' has NumLayers = {r.Options.NumLayers}");
            if (fileLayers > 0 && fileReverse != r.Options.Bidirectional)
                hints.Add(fileReverse
                    ? $"the file's module is bidirectional, layer '{layer.Name}' is not"
                    : $"the file's module is not bidirectional, layer '{layer.Name}' is");
        }
        if (inner is Dense { UseBias: false } && leaves.Contains("bias"))
            hints.Add($"the file's module has a bias, layer '{layer.Name}' has useBias: false");
        return string.Join("; ", hints);
    }

    private static List<string> Axes(int[] expected, int[] actual, params string[] axisNames)
    {
        var reasons = new List<string>();
        for (int i = 0; i < expected.Length && i < axisNames.Length; i++)
            if (expected[i] != actual[i]) reasons.Add($"the {axisNames[i]} differs (file {actual[i]}, layer {expected[i]})");
        return reasons;
    }

    private static List<string> Recurrent(RecurrentLayer r, string parameter, int[] expected, int[] actual)
    {
        var reasons = new List<string>();
        _ = PyTorchNames.TryParseRecurrent(parameter, out string kind, out int layer, out _);
        int H = r.Units, G = expected[0] / H;
        if (actual[0] != expected[0])
        {
            var other = Cells.FirstOrDefault(c => c.Gates != G && c.Gates * H == actual[0]);
            if (other.Module is not null)
                reasons.Add($"{actual[0]} rows = {other.Gates}·H is the shape of an {other.Module}: the cell type differs " +
                            $"(layer '{r.Name}' is a {r.GetType().Name} with {G}·H = {expected[0]} rows)");
            else if (actual[0] % G == 0)
                reasons.Add($"the hidden size differs (file {actual[0] / G}, layer {H})");
            else
                reasons.Add($"{actual[0]} rows is not {G} gate blocks of any hidden size");
        }
        if (actual.Length == 2 && actual[1] != expected[1])
        {
            if (kind == "weight_hh")
                reasons.Add($"the hidden size differs (file {actual[1]}, layer {H})");
            else if (layer == 0)
                reasons.Add($"the input size differs (file {actual[1]}, layer {expected[1]})");
            else if (actual[1] == 2 * H && expected[1] == H)
                reasons.Add($"stacked layer {layer} takes 2H = {actual[1]} inputs in the file: its module is bidirectional (concatenated), layer '{r.Name}' is not");
            else if (actual[1] == H && expected[1] == 2 * H)
                reasons.Add($"stacked layer {layer} takes H = {actual[1]} inputs in the file: its module is not bidirectional, layer '{r.Name}' is");
            else
                reasons.Add($"stacked layer {layer}'s input width differs (file {actual[1]}, layer {expected[1]}): the hidden size or bidirectional setting differs");
        }
        return reasons;
    }
}
