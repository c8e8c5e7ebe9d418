using System.Globalization;
using System.Text.Json.Nodes;

namespace Recur.Layers;

/// <summary>
/// Reads a saved configuration (a JSON object: a layer's, a loss's, an optimizer's) with errors
/// that name the owner, the key, the expected and the actual value. The factories registered in
/// <see cref="Serialization.TypeRegistry"/> read their keys through it.
/// </summary>
/// <param name="json">The configuration as saved.</param>
/// <param name="layerName">The name of the layer (or setting) it belongs to, for messages.</param>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name",
    Justification = "The readers are named by the JSON value kind they read (Int, Float, String, Object), as JSON readers are.")]
public sealed class LayerConfig(JsonObject json, string layerName)
{
    /// <summary>The configuration as saved.</summary>
    public JsonObject Json { get; } = json;

    /// <summary>The name of the layer the configuration belongs to (pass it to the layer's constructor).</summary>
    public string LayerName { get; } = layerName;

    /// <summary>An integer, optionally at least <paramref name="min"/>.</summary>
    /// <exception cref="InvalidDataException">The key is missing or holds something else.</exception>
    public int Int(string key, int? min = null)
    {
        var node = Require(key);
        if (node is not JsonValue v || !v.TryGetValue<int>(out int value))
            throw Bad(key, "an integer", node);
        if (min is { } m && value < m) throw Bad(key, $"an integer ≥ {m}", node);
        return value;
    }

    /// <summary>A finite number.</summary>
    /// <exception cref="InvalidDataException">The key is missing or holds something else.</exception>
    public float Float(string key)
    {
        var node = Require(key);
        if (node is not JsonValue v || !v.TryGetValue<double>(out double value) || !double.IsFinite(value))
            throw Bad(key, "a finite number", node);
        return (float)value;
    }

    /// <summary>true or false.</summary>
    /// <exception cref="InvalidDataException">The key is missing or holds something else.</exception>
    public bool Bool(string key)
    {
        var node = Require(key);
        if (node is not JsonValue v || !v.TryGetValue<bool>(out bool value)) throw Bad(key, "true or false", node);
        return value;
    }

    /// <summary>A string.</summary>
    /// <exception cref="InvalidDataException">The key is missing or holds something else.</exception>
    public string String(string key)
    {
        var node = Require(key);
        if (node is not JsonValue v || !v.TryGetValue<string>(out var value)) throw Bad(key, "a string", node);
        return value;
    }

    /// <summary>An integer, or null when the key is absent.</summary>
    /// <exception cref="InvalidDataException">The key holds something else.</exception>
    public int? OptionalInt(string key) => Json[key] is null ? null : Int(key);

    /// <summary>One of the names of <typeparamref name="T"/> (case-insensitive).</summary>
    /// <exception cref="InvalidDataException">The key is missing or holds something else.</exception>
    public T Enum<T>(string key) where T : struct, System.Enum
    {
        string s = String(key);
        return System.Enum.TryParse<T>(s, ignoreCase: true, out var value) && System.Enum.IsDefined(value)
            ? value
            : throw Bad(key, "one of " + string.Join(", ", System.Enum.GetNames<T>()), Json[key]);
    }

    /// <summary>A nested object.</summary>
    /// <exception cref="InvalidDataException">The key is missing or holds something else.</exception>
    public JsonObject Object(string key) => Require(key) as JsonObject ?? throw Bad(key, "an object", Json[key]);

    private JsonNode Require(string key)
        => Json[key] ?? throw new InvalidDataException($"Layer '{LayerName}': configuration key '{key}' is missing.");

    private InvalidDataException Bad(string key, string expected, JsonNode? actual)
        => new($"Layer '{LayerName}': configuration key '{key}' should be {expected}; found {actual?.ToJsonString() ?? "null"}.");

    /// <summary>A float as written in configurations (round-trip, invariant culture).</summary>
    public static string Format(float v) => v.ToString("R", CultureInfo.InvariantCulture);
}
