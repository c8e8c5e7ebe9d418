using System.Text.Encodings.Web;
using System.Text.Json;

namespace Recur.Serve;

/// <summary>How answers are written: snake_case names (<c>max_tokens</c>), no escaping of non-ASCII text.</summary>
public static class ServeJson
{
    /// <summary>The serializer settings of every answer.</summary>
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions());

    /// <summary>Applies the answer conventions to <paramref name="options"/> (also used for the OpenAPI schemas).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        return options;
    }
}
