using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Recur.Serve.Api;

/// <summary>
/// Reads a request body as one JSON object, never holding more than the body limit: a declared
/// length over the limit is refused before a byte is read, a streamed body as soon as it passes
/// the limit. Syntax errors name the JSON path where they occur (<c>history[1]</c>).
/// </summary>
public static class JsonBody
{
    private const int MaxDepth = 32;

    /// <summary>The body of <paramref name="request"/> as a JSON object.</summary>
    /// <exception cref="RequestException">415 not JSON, 413 too large, 400 malformed or not an object.</exception>
    public static async Task<JsonRequest> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellation)
    {
        string? type = request.ContentType;
        if (type is not null && !IsJson(type))
            throw new RequestException(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "The body is not JSON",
                $"Content-Type is '{type}'; expected application/json.");
        if (request.ContentLength is { } declared && declared > maxBytes)
            throw TooLarge(maxBytes, $"The body is {declared:N0} bytes; the limit is {maxBytes:N0} bytes.");
        var bytes = await ReadLimitedAsync(request.Body, maxBytes, cancellation);
        if (bytes.Length == 0) throw Malformed("", "The body is empty; expected a JSON object.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException e)
        {
            string path = PathOfError(bytes);
            throw Malformed(path, $"The body is not valid JSON{(path.Length > 0 ? $" at '{path}'" : "")}: {FirstSentence(e.Message)}" +
                (LooksLikeNamedNumber(bytes, e) ? " (NaN and Infinity are not JSON numbers)" : ""));
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw Malformed("", $"The body is a JSON {JsonRequest.Describe(document.RootElement)}; expected a JSON object.");
            return new JsonRequest(document.RootElement.Clone());
        }
    }

    private static bool IsJson(string contentType)
    {
        var media = contentType.Split(';')[0].Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    private static RequestException TooLarge(long limit, string detail)
        => new(StatusCodes.Status413PayloadTooLarge, "body-too-large", "The request body is too large", detail, limit: limit);

    private static RequestException Malformed(string path, string detail)
        => new(StatusCodes.Status400BadRequest, "malformed-json", "The request body is not a valid JSON object", detail, path.Length > 0 ? path : null);

    private static async Task<byte[]> ReadLimitedAsync(Stream body, long maxBytes, CancellationToken cancellation)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            using var kept = new MemoryStream();
            while (true)
            {
                int n;
                try
                {
                    n = await body.ReadAsync(buffer, cancellation);
                }
                catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    throw TooLarge(maxBytes, $"The body is larger than the limit of {maxBytes:N0} bytes.");
                }
                if (n == 0) return kept.ToArray();
                if (kept.Length + n > maxBytes) throw TooLarge(maxBytes, $"The body is larger than the limit of {maxBytes:N0} bytes.");
                kept.Write(buffer, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The JSON path (<c>a.b[2]</c>) of the value being read when the reader failed.</summary>
    private static string PathOfError(byte[] bytes)
    {
        // One frame per open object (the current property name) or array (the current index).
        var frames = new List<Frame>();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        frames[^1] = frames[^1] with { Name = reader.GetString() };
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        NextElement(frames);
                        frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray, null, -1));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        break;
                    default:
                        NextElement(frames);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            NextElement(frames); // inside an array, the failing value is the next element
        }
        var sb = new StringBuilder();
        foreach (var f in frames)
        {
            if (f.IsArray && f.Index >= 0) sb.Append('[').Append(f.Index).Append(']');
            else if (!f.IsArray && f.Name is not null) sb.Append(sb.Length > 0 ? "." : "").Append(f.Name);
        }
        return sb.ToString();

        static void NextElement(List<Frame> frames)
        {
            if (frames.Count > 0 && frames[^1].IsArray) frames[^1] = frames[^1] with { Index = frames[^1].Index + 1 };
        }
    }

    private readonly record struct Frame(bool IsArray, string? Name, int Index);

    private static bool LooksLikeNamedNumber(byte[] bytes, JsonException e)
    {
        if (e.BytePositionInLine is not { } column || e.LineNumber is not { } line) return false;
        var lines = Encoding.UTF8.GetString(bytes).Split('\n');
        if (line >= lines.Length) return false;
        var rest = Encoding.UTF8.GetBytes(lines[line]).AsSpan((int)Math.Min(column, Encoding.UTF8.GetByteCount(lines[line])));
        var text = Encoding.UTF8.GetString(rest).TrimStart('-', '+');
        return text.StartsWith("NaN", StringComparison.Ordinal) || text.StartsWith("Infinity", StringComparison.Ordinal);
    }

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).Trim();
    }
}
