using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Recur.Serialization;

/// <summary>
/// Writes tensors as a safetensors file (dtype F32, little-endian), in the order given, with the
/// header padded with spaces so the data buffer starts on an 8-byte boundary.
/// </summary>
/// <example>
/// <code>
/// SafeTensorsWriter.Write("model.safetensors",
///     new Dictionary&lt;string, Tensor&gt; { ["weight_ih_l0"] = wIh, ["weight_hh_l0"] = wHh },
///     new Dictionary&lt;string, string&gt; { ["cell"] = "lstm" });
/// </code>
/// </example>
public static class SafeTensorsWriter
{
    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/> atomically: the content goes to a
    /// temporary file in the same directory, is flushed to disk, then replaces the target. If
    /// anything fails, an existing file at <paramref name="path"/> is left unchanged.
    /// </summary>
    /// <param name="path">The target file; its directory must exist.</param>
    /// <param name="tensors">Names and tensors, written in this order. Names must be unique, non-empty and not <c>__metadata__</c>.</param>
    /// <param name="metadata">Optional string metadata stored under <c>__metadata__</c>.</param>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (list, header) = Prepare(tensors, metadata);
        AtomicFile.Write(path, stream => WriteBody(stream, list, header));
    }

    /// <summary>The bytes of the safetensors file <see cref="Write"/> would produce.</summary>
    public static byte[] ToBytes(IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var (list, header) = Prepare(tensors, metadata);
        long total = 8 + header.Length + list.Sum(p => 4L * p.Value.Length);
        if (total > Array.MaxLength)
            throw new ArgumentException($"The file would be {total} bytes, more than a byte array holds; use Write to a path.", nameof(tensors));
        var stream = new MemoryStream((int)total);
        WriteBody(stream, list, header);
        return stream.Length == stream.Capacity ? stream.GetBuffer() : stream.ToArray();
    }

    /// <summary>Materializes and checks the tensors, and builds the padded JSON header.</summary>
    private static (List<KeyValuePair<string, Tensor>> List, byte[] Header) Prepare(
        IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in list)
        {
            if (string.IsNullOrEmpty(name))
                throw new ArgumentException("A tensor name is null or empty; every tensor needs a name.", nameof(tensors));
            if (name == SafeTensorsHeader.MetadataKey)
                throw new ArgumentException($"'{name}' is reserved for metadata; rename the tensor.", nameof(tensors));
            if (!names.Add(name))
                throw new ArgumentException($"The tensor name '{name}' appears twice; names must be unique.", nameof(tensors));
            if (tensor is null)
                throw new ArgumentException($"The tensor '{name}' is null.", nameof(tensors));
        }

        var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(SafeTensorsHeader.MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    if (value is null)
                        throw new ArgumentException($"Metadata value '{key}' is null; the format allows only strings.", nameof(metadata));
                    w.WriteString(key, value);
                }
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in list)
            {
                w.WriteStartObject(name);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                foreach (int d in tensor.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                offset += 4L * tensor.Length;
                w.WriteNumberValue(offset);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        // Spaces are JSON whitespace, so padding keeps the header valid while aligning the data to 8 bytes.
        int padded = (int)((json.Length + 7) / 8 * 8);
        var header = new byte[padded];
        json.GetBuffer().AsSpan(0, (int)json.Length).CopyTo(header);
        header.AsSpan((int)json.Length).Fill((byte)' ');
        return (list, header);
    }

    private static void WriteBody(Stream stream, List<KeyValuePair<string, Tensor>> list, byte[] header)
    {
        Span<byte> scratch = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(scratch, (ulong)header.Length);
        stream.Write(scratch);
        stream.Write(header);
        foreach (var (_, tensor) in list)
        {
            if (BitConverter.IsLittleEndian)
            {
                stream.Write(MemoryMarshal.AsBytes(tensor.Span));
                continue;
            }
            foreach (float v in tensor.Span)
            {
                BinaryPrimitives.WriteSingleLittleEndian(scratch, v);
                stream.Write(scratch[..4]);
            }
        }
    }
}
