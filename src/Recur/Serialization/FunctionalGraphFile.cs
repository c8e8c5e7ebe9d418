using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Models;

namespace Recur.Serialization;

/// <summary>
/// A functional model's graph in the <c>.recur</c> architecture JSON: <c>inputs</c> (name and
/// per-sample shape), <c>calls</c> in graph order (the layer and the tensors it reads) and
/// <c>outputs</c>. A tensor is named by its input's name, or <c>{layer}:{k}</c> for the output of
/// the k-th call of a layer (shared layers are called several times).
/// </summary>
/// <remarks>A call may read only tensors defined before it, so a graph read from a file has no cycle.</remarks>
internal static class FunctionalGraphFile
{
    public static void Describe(Functional model, JsonObject architecture)
    {
        var graph = model.Graph!;
        var names = new Dictionary<SymbolicTensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var input in graph.Inputs) names[input] = input.Name;
        var callCounts = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        var calls = new JsonArray();
        foreach (var node in graph.Nodes)
        {
            int k = callCounts.GetValueOrDefault(node.Layer);
            callCounts[node.Layer] = k + 1;
            names[node.Output] = $"{node.Layer.Name}:{k}";
            calls.Add(new JsonObject
            {
                ["layer"] = node.Layer.Name,
                ["inputs"] = new JsonArray(node.Inputs.Select(t => (JsonNode)names[t]).ToArray()),
            });
        }
        architecture["inputs"] = new JsonArray(graph.Inputs.Select(t => (JsonNode)new JsonObject
        {
            ["name"] = t.Name,
            ["shape"] = new JsonArray(t.ShapeArray.Select(d => (JsonNode)d).ToArray()),
        }).ToArray());
        architecture["calls"] = calls;
        architecture["outputs"] = new JsonArray(graph.Outputs.Select(t => (JsonNode)names[t]).ToArray());
    }

    public static Functional Create(JsonObject architecture, Layer[] layers, ulong seed, string name)
    {
        var byName = new Dictionary<string, Layer>();
        foreach (var layer in layers)
            if (!byName.TryAdd(layer.Name, layer)) throw new InvalidDataException($"two layers are named '{layer.Name}'.");
        var tensors = new Dictionary<string, SymbolicTensor>();
        var inputs = new List<SymbolicTensor>();
        foreach (var (entry, i) in Array(architecture, "inputs", Limits.MaxModelLayers).Select((e, i) => (e, i)))
        {
            var c = new LayerConfig(entry as JsonObject ?? throw new InvalidDataException($"inputs[{i}] is not an object."), $"inputs[{i}]");
            string inputName = c.String("name");
            var shape = Array(c.Json, "shape", 8).Select((n, d) => n is JsonValue v && v.TryGetValue<int>(out int size) ? size
                : throw new InvalidDataException($"input '{inputName}': shape entry {d} is {Limits.Quote(n?.ToJsonString() ?? "null")}; expected an integer.")).ToArray();
            var input = Functional.Input(shape, inputName);
            if (!tensors.TryAdd(inputName, input)) throw new InvalidDataException($"two inputs are named '{inputName}'.");
            inputs.Add(input);
        }
        var callCounts = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        foreach (var (entry, i) in Array(architecture, "calls", Limits.MaxModelLayers).Select((e, i) => (e, i)))
        {
            var c = new LayerConfig(entry as JsonObject ?? throw new InvalidDataException($"calls[{i}] is not an object."), $"calls[{i}]");
            string layerName = c.String("layer");
            if (!byName.TryGetValue(layerName, out var layer))
                throw new InvalidDataException($"calls[{i}] calls layer '{Limits.Quote(layerName)}', which is not among the layers.");
            var reads = Array(c.Json, "inputs", Limits.MaxModelLayers).Select(n => n is JsonValue v && v.TryGetValue<string>(out var r) ? r
                : throw new InvalidDataException($"calls[{i}] ('{layerName}'): an input is not a tensor name.")).ToArray();
            var args = reads.Select(r => tensors.TryGetValue(r, out var t) ? t
                : throw new InvalidDataException($"calls[{i}] ('{layerName}') reads '{Limits.Quote(r)}', which no input or earlier call defines (calls must be listed in graph order; a graph cannot have a cycle).")).ToArray();
            SymbolicTensor output = layer switch
            {
                MergeLayer merge => merge.Apply(args),
                _ when args.Length == 1 => layer.Apply(args[0]),
                _ => throw new InvalidDataException($"calls[{i}]: layer '{layerName}' ({layer.GetType().Name}) takes 1 input; the call lists {args.Length}."),
            };
            int k = callCounts.GetValueOrDefault(layer);
            callCounts[layer] = k + 1;
            tensors[$"{layerName}:{k}"] = output;
        }
        var outputs = Array(architecture, "outputs", Limits.MaxModelLayers).Select(n => n is JsonValue v && v.TryGetValue<string>(out var r) && tensors.TryGetValue(r, out var t) ? t
            : throw new InvalidDataException($"an output {Limits.Quote(n?.ToJsonString() ?? "null")} names no input or call.")).ToArray();
        var unused = layers.FirstOrDefault(l => !callCounts.ContainsKey(l));
        if (unused is not null) throw new InvalidDataException($"layer '{unused.Name}' is never called.");
        return new Functional(inputs, outputs, seed, name);
    }

    private static JsonArray Array(JsonObject json, string key, int max)
    {
        var array = json[key] as JsonArray ?? throw new InvalidDataException($"'{key}' is not an array.");
        if (array.Count == 0 || array.Count > max) throw new InvalidDataException($"'{key}' lists {array.Count} entries; expected 1 to {max}.");
        return array;
    }
}
