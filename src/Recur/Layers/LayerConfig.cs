using System.Globalization;
using System.Text.Json.Nodes;

namespace Recur.Layers;

/// <summary>
/// Reads a layer's saved configuration (a JSON object) with errors that name the layer, the key,
/// the expected and the actual value.
/// </summary>
internal sealed class LayerConfig(JsonObject json, string layerName)
{
    public JsonObject Json { get; } = json;

    public string LayerName { get; } = layerName;

    public int Int(string key, int? min = null)
    {
        var node = Require(key);
        if (node is not JsonValue v || !v.TryGetValue<int>(out int value))
            throw Bad(key, "an integer", node);
        if (min is { } m && value < m) throw Bad(key, $"an integer ≥ {m}", node);
        return value;
    }

    public float Float(string key)
    {
        var node = Require(key);
        if (node is not JsonValue v || !v.TryGetValue<double>(out double value) || !double.IsFinite(value))
            throw Bad(key, "a finite number", node);
        return (float)value;
    }

    public bool Bool(string key)
    {
        var node = Require(key);
        if (node is not JsonValue v || !v.TryGetValue<bool>(out bool value)) throw Bad(key, "true or false", node);
        return value;
    }

    public string String(string key)
    {
        var node = Require(key);
        if (node is not JsonValue v || !v.TryGetValue<string>(out var value)) throw Bad(key, "a string", node);
        return value;
    }

    public int? OptionalInt(string key) => Json[key] is null ? null : Int(key);

    public T Enum<T>(string key) where T : struct, System.Enum
    {
        string s = String(key);
        return System.Enum.TryParse<T>(s, ignoreCase: true, out var value) && System.Enum.IsDefined(value)
            ? value
            : throw Bad(key, "one of " + string.Join(", ", System.Enum.GetNames<T>()), Json[key]);
    }

    public JsonObject Object(string key) => Require(key) as JsonObject ?? throw Bad(key, "an object", Json[key]);

    private JsonNode Require(string key)
        => Json[key] ?? throw new InvalidDataException($"Layer '{LayerName}': configuration key '{key}' is missing.");

    private InvalidDataException Bad(string key, string expected, JsonNode? actual)
        => new($"Layer '{LayerName}': configuration key '{key}' should be {expected}; found {actual?.ToJsonString() ?? "null"}.");

    public static string Format(float v) => v.ToString("R", CultureInfo.InvariantCulture);
}
