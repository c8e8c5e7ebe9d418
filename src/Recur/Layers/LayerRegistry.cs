using System.Text.Json.Nodes;
using Recur.Layers.Recurrent;

namespace Recur.Layers;

/// <summary>
/// Turns layers into <c>{"type", "name", "config"}</c> JSON and back, for model files. Only the
/// types listed here can be recreated: loading never runs code named by a file.
/// </summary>
internal static class LayerRegistry
{
    private static readonly Dictionary<string, Func<LayerConfig, Layer>> Factories = new()
    {
        ["Lstm"] = Lstm.FromConfig,
        ["Gru"] = Gru.FromConfig,
        ["SimpleRnn"] = SimpleRnn.FromConfig,
        ["Dense"] = Dense.FromConfig,
        ["Embedding"] = Embedding.FromConfig,
        ["Dropout"] = Dropout.FromConfig,
        ["Masking"] = Masking.FromConfig,
        ["Bidirectional"] = Bidirectional.FromConfig,
        ["TimeDistributed"] = TimeDistributed.FromConfig,
        ["GlobalMaxPooling1D"] = GlobalMaxPooling1D.FromConfig,
        ["Concatenate"] = Concatenate.FromConfig,
        ["Add"] = Add.FromConfig,
        ["Multiply"] = Multiply.FromConfig,
    };

    public static JsonObject Describe(Layer layer) => new()
    {
        ["type"] = layer.GetType().Name,
        ["name"] = layer.Name,
        ["config"] = layer.GetConfig(),
    };

    public static Layer Create(JsonObject description)
    {
        string name = description["name"] is JsonValue n && n.TryGetValue<string>(out var s) ? s
            : throw new InvalidDataException($"A layer description has no string 'name': {description.ToJsonString()}.");
        string type = description["type"] is JsonValue t && t.TryGetValue<string>(out var ts) ? ts
            : throw new InvalidDataException($"Layer '{name}' has no string 'type'.");
        if (!Factories.TryGetValue(type, out var factory))
            throw new InvalidDataException($"Layer '{name}' has unknown type '{type}'; known types: {string.Join(", ", Factories.Keys)}.");
        var config = description["config"] as JsonObject
            ?? throw new InvalidDataException($"Layer '{name}' ({type}) has no 'config' object.");
        return factory(new LayerConfig(config, name));
    }
}
