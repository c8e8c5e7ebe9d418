using System.Text.Json;

namespace Recur.Serialization;

/// <summary>
/// Parses and validates the JSON header of a safetensors file:
/// <c>{"__metadata__": {"k": "v"}, "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...}</c>.
/// </summary>
/// <remarks>
/// Validation follows the format's rules: every entry has a known dtype, a shape of non-negative
/// integers, and offsets whose span equals volume × element size; the tensors, sorted by offset,
/// cover the data buffer exactly (no overlap, no hole, nothing left over).
/// </remarks>
internal sealed class SafeTensorsHeader
{
    /// <summary>The key that holds free-form string metadata instead of a tensor.</summary>
    public const string MetadataKey = "__metadata__";

    private SafeTensorsHeader(List<SafeTensorsEntry> entries, Dictionary<string, string> metadata, long dataLength)
    {
        Entries = entries;
        Metadata = metadata;
        DataLength = dataLength;
    }

    /// <summary>The bytes of the data buffer: the end of the last tensor.</summary>
    public long DataLength { get; }

    /// <summary>The tensors in header (file) order.</summary>
    public List<SafeTensorsEntry> Entries { get; }

    /// <summary>The <c>__metadata__</c> object (empty when absent).</summary>
    public Dictionary<string, string> Metadata { get; }

    /// <summary>
    /// Parses <paramref name="json"/> and checks it against a data buffer of <paramref name="dataLength"/>
    /// bytes; when the length is not known yet (a stream), the tensors must still tile
    /// [0, <see cref="DataLength"/>) and the caller checks that many bytes arrive.
    /// </summary>
    /// <exception cref="SafeTensorsFormatException">Anything in the header is malformed.</exception>
    public static SafeTensorsHeader Parse(ReadOnlyMemory<byte> json, long? dataLength, string source)
    {
        // JsonDocument checks UTF-8 inside strings only when they are read; check it all up front.
        int badByte = FirstInvalidUtf8(json.Span);
        if (badByte >= 0)
            throw new SafeTensorsFormatException(source,
                $"the header is not valid UTF-8 (bad byte 0x{json.Span[badByte]:X2} at header offset {badByte}). " +
                "The file is corrupt or not a safetensors file.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException(source,
                $"the header is not valid JSON ({e.Message}). The file is corrupt or not a safetensors file.");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new SafeTensorsFormatException(source,
                    $"the header is a JSON {Kind(root.ValueKind)}; expected an object mapping tensor names to entries.");

            var entries = new List<SafeTensorsEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw new SafeTensorsFormatException(source,
                        $"the header has the key '{property.Name}' twice; each tensor name must be unique.");
                if (property.Name == MetadataKey) ReadMetadata(property.Value, metadata, source);
                else entries.Add(ReadEntry(property.Name, property.Value, dataLength, source));
            }
            long covered = CheckCoverage(entries, dataLength, source);
            return new SafeTensorsHeader(entries, metadata, covered);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string source)
    {
        if (value.ValueKind == JsonValueKind.Null) return;
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsFormatException(source,
                $"'{MetadataKey}' is a JSON {Kind(value.ValueKind)}; expected an object of string values.");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new SafeTensorsFormatException(source,
                    $"metadata value '{item.Name}' is a JSON {Kind(item.Value.ValueKind)} ({item.Value.GetRawText()}); " +
                    "the format allows only strings. Store it as a string, e.g. \"" + item.Value.GetRawText().Trim('"') + "\".");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw new SafeTensorsFormatException(source, $"metadata key '{item.Name}' appears twice.");
        }
    }

    private static SafeTensorsEntry ReadEntry(string name, JsonElement value, long? dataLength, string source)
    {
        string where = $"tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsFormatException(source,
                $"{where} is a JSON {Kind(value.ValueKind)}; expected {{\"dtype\": ..., \"shape\": [...], \"data_offsets\": [begin, end]}}.");

        JsonElement? dtypeElement = null, shapeElement = null, offsetsElement = null;
        foreach (var field in value.EnumerateObject())
        {
            ref JsonElement? slot = ref dtypeElement;
            if (field.Name == "dtype") slot = ref dtypeElement;
            else if (field.Name == "shape") slot = ref shapeElement;
            else if (field.Name == "data_offsets") slot = ref offsetsElement;
            else continue; // Unknown fields are tolerated for forward compatibility.
            if (slot is not null)
                throw new SafeTensorsFormatException(source, $"{where} has the field '{field.Name}' twice.");
            slot = field.Value;
        }

        string dtype = ReadDtype(dtypeElement, where, source);
        int[] shape = ReadShape(shapeElement, where, source);
        var (begin, end) = ReadOffsets(offsetsElement, where, source);

        ulong volume = 1;
        foreach (int d in shape)
            if (!TryMultiply(volume, (ulong)d, out volume))
                throw new SafeTensorsFormatException(source,
                    $"{where} has shape {Tensor.ShapeString(shape)}, whose element count overflows 64 bits.");
        int size = SafeTensorsDtype.SizeOf(dtype);
        if (!TryMultiply(volume, (ulong)size, out ulong byteCount))
            throw new SafeTensorsFormatException(source,
                $"{where} has shape {Tensor.ShapeString(shape)} of {dtype}, whose byte size overflows 64 bits.");

        if (begin > end)
            throw new SafeTensorsFormatException(source,
                $"{where} has data_offsets [{begin}, {end}]: begin is after end.");
        if (end > (ulong)(dataLength ?? Limits.MaxInMemoryFileBytes))
            throw new SafeTensorsFormatException(source,
                dataLength is null
                    ? $"{where} has data_offsets [{begin}, {end}], beyond the {Limits.MaxInMemoryFileBytes} bytes Recur reads."
                    : $"{where} has data_offsets [{begin}, {end}] but the data buffer after the header holds only {dataLength} bytes. " +
                      "The file is truncated or the offsets are wrong.");
        if (end - begin != byteCount)
            throw new SafeTensorsFormatException(source,
                $"{where} spans {end - begin} bytes (data_offsets [{begin}, {end}]) but shape {Tensor.ShapeString(shape)} " +
                $"of {dtype} needs {volume} × {size} = {byteCount} bytes.");
        return new SafeTensorsEntry(name, dtype, shape, (long)begin, (long)end);
    }

    private static string ReadDtype(JsonElement? element, string where, string source)
    {
        if (element is not { } e)
            throw new SafeTensorsFormatException(source, $"{where} has no 'dtype' field.");
        if (e.ValueKind != JsonValueKind.String)
            throw new SafeTensorsFormatException(source, $"{where} has 'dtype' {e.GetRawText()}; expected a string such as \"F32\".");
        string dtype = e.GetString()!;
        if (SafeTensorsDtype.SizeOf(dtype) == 0)
            throw new SafeTensorsFormatException(source,
                $"{where} has unknown dtype '{dtype}'; known dtypes are {SafeTensorsDtype.KnownList}.");
        return dtype;
    }

    private static int[] ReadShape(JsonElement? element, string where, string source)
    {
        if (element is not { } e)
            throw new SafeTensorsFormatException(source, $"{where} has no 'shape' field.");
        if (e.ValueKind != JsonValueKind.Array)
            throw new SafeTensorsFormatException(source, $"{where} has 'shape' {e.GetRawText()}; expected an array of non-negative integers.");
        var shape = new int[e.GetArrayLength()];
        int i = 0;
        foreach (var dim in e.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long d) || d < 0)
                throw new SafeTensorsFormatException(source,
                    $"{where} has shape dimension {i} = {dim.GetRawText()}; dimensions must be non-negative integers.");
            if (d > int.MaxValue)
                throw new SafeTensorsFormatException(source,
                    $"{where} has shape dimension {i} = {d}; Recur tensors hold at most {int.MaxValue} per dimension.");
            shape[i++] = (int)d;
        }
        return shape;
    }

    private static (ulong Begin, ulong End) ReadOffsets(JsonElement? element, string where, string source)
    {
        if (element is not { } e)
            throw new SafeTensorsFormatException(source, $"{where} has no 'data_offsets' field.");
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 2)
            throw new SafeTensorsFormatException(source,
                $"{where} has 'data_offsets' {e.GetRawText()}; expected [begin, end], two non-negative integers.");
        var pair = new ulong[2];
        for (int i = 0; i < 2; i++)
        {
            var item = e[i];
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetUInt64(out pair[i]))
                throw new SafeTensorsFormatException(source,
                    $"{where} has 'data_offsets' {e.GetRawText()}; both offsets must be non-negative integers.");
        }
        return (pair[0], pair[1]);
    }

    /// <summary>
    /// The format requires the tensors to tile the data buffer: sorted by offset, each begins
    /// where the previous one ends, the first at 0 and the last at the buffer's end.
    /// </summary>
    private static long CheckCoverage(List<SafeTensorsEntry> entries, long? dataLength, string source)
    {
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long expected = 0;
        SafeTensorsEntry? previous = null;
        foreach (var e in sorted)
        {
            if (e.Begin < expected)
                throw new SafeTensorsFormatException(source,
                    $"tensors '{previous!.Name}' [{previous.Begin}, {previous.End}) and '{e.Name}' [{e.Begin}, {e.End}) overlap in the data buffer.");
            if (e.Begin > expected)
                throw new SafeTensorsFormatException(source, previous is null
                    ? $"the data buffer has a hole: bytes [0, {e.Begin}) before '{e.Name}' belong to no tensor."
                    : $"the data buffer has a hole: bytes [{expected}, {e.Begin}) between '{previous.Name}' and '{e.Name}' belong to no tensor.");
            expected = e.End;
            previous = e;
        }
        if (dataLength is { } length && expected != length)
            throw new SafeTensorsFormatException(source,
                $"the data buffer is {length} bytes but the tensors cover only [0, {expected}); " +
                $"{length - expected} trailing bytes belong to no tensor.");
        return expected;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes)) return -1;
        int at = 0;
        while (System.Text.Rune.DecodeFromUtf8(bytes[at..], out _, out int consumed) == System.Buffers.OperationStatus.Done)
            at += consumed;
        return at;
    }

    private static bool TryMultiply(ulong a, ulong b, out ulong product)
    {
        product = a * b;
        return b == 0 || product / b == a;
    }

    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
