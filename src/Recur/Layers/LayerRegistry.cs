using System.Text.Json.Nodes;

namespace Recur.Layers;

/// <summary>
/// Turns layers into <c>{"type", "name", "config", "frozen"}</c> JSON and back, for model files.
/// Only types registered in <see cref="Serialization.TypeRegistry"/> can be recreated: loading
/// never runs code named by a file. <c>frozen</c> lists the parameters that do not train.
/// </summary>
internal static class LayerRegistry
{
    public static JsonObject Describe(Layer layer)
    {
        var description = new JsonObject
        {
            ["type"] = Serialization.TypeRegistry.LayerTypeName(layer),
            ["name"] = layer.Name,
            ["config"] = layer.GetConfig(),
        };
        var frozen = layer.FrozenParameterNames();
        if (frozen.Count > 0) description["frozen"] = new JsonArray(frozen.Select(n => (JsonNode)n).ToArray());
        return description;
    }

    public static Layer Create(JsonObject description)
    {
        string name = description["name"] is JsonValue n && n.TryGetValue<string>(out var s) ? s
            : throw new InvalidDataException($"A layer description has no string 'name': {description.ToJsonString()}.");
        string type = description["type"] is JsonValue t && t.TryGetValue<string>(out var ts) ? ts
            : throw new InvalidDataException($"Layer '{name}' has no string 'type'.");
        var config = description["config"] as JsonObject
            ?? throw new InvalidDataException($"Layer '{name}' ({type}) has no 'config' object.");
        var layer = Serialization.TypeRegistry.CreateLayer(type, new LayerConfig(config, name));
        if (description["frozen"] is JsonArray frozen)
            layer.FreezeAfterBuild(frozen.Select(f => f is JsonValue v && v.TryGetValue<string>(out var p) ? p
                : throw new InvalidDataException($"Layer '{name}': 'frozen' lists {f?.ToJsonString() ?? "null"}; expected parameter names.")));
        return layer;
    }
}
