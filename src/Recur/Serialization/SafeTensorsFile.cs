using System.Buffers.Binary;

namespace Recur.Serialization;

/// <summary>
/// A parsed safetensors file: named tensors with dtypes and shapes, plus string metadata.
/// </summary>
/// <remarks>
/// <para>Layout: an 8-byte little-endian unsigned header length N, then N bytes of UTF-8 JSON,
/// then the data buffer. Each JSON entry is <c>{"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}</c>
/// with offsets relative to the start of the data buffer; the key <c>__metadata__</c> holds an
/// object of strings.</para>
/// <para>Everything is validated when the file is read (see <see cref="SafeTensorsFormatException"/>);
/// the file is held in memory, so reading is limited to files under 2 GB.</para>
/// </remarks>
/// <example>
/// <code>
/// var file = SafeTensorsFile.Read("lstm.safetensors");
/// Tensor wIh = file.Get("weight_ih_l0");   // (4H, I)
/// string cell = file.Metadata["cell"];
/// </code>
/// </example>
public sealed class SafeTensorsFile
{
    /// <summary>The largest header accepted (100 MB, the limit of the reference implementation).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private readonly ReadOnlyMemory<byte> _data;
    private readonly Dictionary<string, SafeTensorsEntry> _entries;
    private readonly string _source;

    private SafeTensorsFile(ReadOnlyMemory<byte> data, SafeTensorsHeader header, string source)
    {
        _data = data;
        _source = source;
        _entries = header.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        Names = header.Entries.Select(e => e.Name).ToArray();
        Metadata = header.Metadata;
    }

    /// <summary>The file path or caller-given name the file was read from (used in error messages).</summary>
    public string Source => _source;

    /// <summary>The <c>__metadata__</c> object (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Tensor names in the order the header lists them.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Reads and validates the file at <paramref name="path"/>.</summary>
    /// <exception cref="SafeTensorsFormatException">The file is malformed; the message names the file and the problem.</exception>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads and validates a safetensors file held in <paramref name="bytes"/> (copied).</summary>
    /// <param name="bytes">The whole file.</param>
    /// <param name="sourceName">A name for error messages, e.g. where the bytes came from.</param>
    public static SafeTensorsFile Read(ReadOnlySpan<byte> bytes, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        return Parse(bytes.ToArray(), sourceName);
    }

    /// <summary>Reads and validates a safetensors file from <paramref name="stream"/> (read to its end).</summary>
    /// <param name="stream">Positioned at the start of the file.</param>
    /// <param name="sourceName">A name for error messages.</param>
    public static SafeTensorsFile Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        // The buffer holds only bytes that actually arrive; nothing is sized from the header's claims.
        long known = stream.CanSeek ? stream.Length - stream.Position : 0;
        if (known > Array.MaxLength)
            throw new SafeTensorsFormatException(sourceName,
                $"the file is {known} bytes; Recur reads safetensors files of at most {Array.MaxLength} bytes.");
        var buffer = new MemoryStream((int)known);
        stream.CopyTo(buffer);
        var all = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        return Parse(all, sourceName);
    }

    /// <summary>True when the file holds a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <summary>The shape of tensor <paramref name="name"/> (a copy).</summary>
    /// <exception cref="KeyNotFoundException">No such tensor; the message lists the available names.</exception>
    public int[] ShapeOf(string name) => (int[])Entry(name).Shape.Clone();

    /// <summary>The safetensors dtype of tensor <paramref name="name"/>, e.g. <c>"F32"</c>.</summary>
    /// <exception cref="KeyNotFoundException">No such tensor; the message lists the available names.</exception>
    public string DtypeOf(string name) => Entry(name).Dtype;

    /// <summary>
    /// A new float32 tensor with the values of <paramref name="name"/>. F32 is copied as is; F64
    /// is rounded to float32, F16 and BF16 are widened exactly.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such tensor; the message lists the available names.</exception>
    /// <exception cref="NotSupportedException">The tensor's dtype cannot be converted to float32.</exception>
    public Tensor Get(string name)
    {
        var e = Entry(name);
        var values = SafeTensorsDtype.ToFloat32(_data.Span[(int)e.Begin..(int)e.End], e.Dtype)
            ?? throw new NotSupportedException(
                $"{_source}: tensor '{name}' has dtype {e.Dtype}; Recur converts only {SafeTensorsDtype.Convertible} to float32.");
        return new Tensor(values, e.Shape);
    }

    private SafeTensorsEntry Entry(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_entries.TryGetValue(name, out var e)) return e;
        const int shown = 30;
        string list = Names.Count == 0 ? "(none)" : string.Join(", ", Names.Take(shown).Select(n => $"'{n}'"))
            + (Names.Count > shown ? $", … ({Names.Count - shown} more)" : "");
        throw new KeyNotFoundException($"{_source} has no tensor '{name}'. Available tensors: {list}.");
    }

    /// <summary>Checks the 8-byte length prefix against the file size before anything is allocated from it.</summary>
    private static void CheckPrefix(ReadOnlySpan<byte> file, string source)
    {
        long fileLength = file.Length;
        if (fileLength < 8)
            throw new SafeTensorsFormatException(source,
                $"the file is {fileLength} bytes long; a safetensors file starts with an 8-byte " +
                "little-endian header length. The file is empty, truncated or not a safetensors file.");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (n > MaxHeaderBytes)
            throw new SafeTensorsFormatException(source,
                $"the header length field says {n} bytes, above the {MaxHeaderBytes}-byte limit. " +
                "The file is corrupt or not a safetensors file.");
        if (n > (ulong)(fileLength - 8))
            throw new SafeTensorsFormatException(source,
                $"the header length field says {n} bytes but only {fileLength - 8} bytes follow it. " +
                "The file is truncated or not a safetensors file.");
    }

    private static SafeTensorsFile Parse(ReadOnlyMemory<byte> file, string source)
    {
        CheckPrefix(file.Span, source);
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file.Span);
        var data = file[(8 + n)..];
        var header = SafeTensorsHeader.Parse(file.Slice(8, n), data.Length, source);
        return new SafeTensorsFile(data, header, source);
    }
}
