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
/// the file is held in memory, so reading is limited to files under 2 GB
/// (<see cref="Limits.MaxInMemoryFileBytes"/>).</para>
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
    public const long MaxHeaderBytes = Limits.MaxSafeTensorsHeaderBytes;

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
    /// <remarks>
    /// The length prefix and the header are read first and the data only as far as the header's
    /// tensors reach, and buffers grow only with bytes that actually arrive: a forged length or an
    /// endless stream (<c>/dev/zero</c>) fails at the header instead of filling memory.
    /// </remarks>
    public static SafeTensorsFile Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        // Devices and pipes may seek yet report no length: their size is unknown until they end.
        long? known = stream.CanSeek && stream.Length > 0 ? Math.Max(0, stream.Length - stream.Position) : null;
        var prefix = new byte[8];
        int got = ReadUpTo(stream, prefix, prefix.Length);
        if (got < 8 || known is { } k && k < 8)
            throw new SafeTensorsFormatException(sourceName, ShortFile(got));
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        CheckHeaderLength(n, known is { } all ? all - 8 : null, sourceName);
        var json = ReadGrowing(stream, (long)n);
        if (json.Length < (long)n)
            throw new SafeTensorsFormatException(sourceName,
                $"the header length field says {n} bytes but only {json.Length} bytes follow it. " +
                "The file is truncated or not a safetensors file.");

        long? dataLength = known is { } total ? total - 8 - (long)n : null;
        var header = SafeTensorsHeader.Parse(json, dataLength, sourceName);
        long needed = header.DataLength;
        if (8 + (long)n + needed > Limits.MaxInMemoryFileBytes)
            throw new SafeTensorsFormatException(sourceName,
                $"the tensors take {needed} bytes; Recur reads safetensors files of at most {Limits.MaxInMemoryFileBytes} bytes.");
        var data = ReadGrowing(stream, needed);
        if (data.Length < needed)
            throw new SafeTensorsFormatException(sourceName,
                $"the header's tensors need {needed} bytes of data but only {data.Length} follow the header. The file is truncated.");
        if (stream.ReadByte() >= 0)
            throw new SafeTensorsFormatException(sourceName,
                $"more bytes follow the {needed} bytes of data the header's tensors cover; they belong to no tensor.");
        return new SafeTensorsFile(data, header, sourceName);
    }

    /// <summary>Up to <paramref name="count"/> bytes of <paramref name="stream"/>, in a buffer that grows only as they arrive.</summary>
    private static byte[] ReadGrowing(Stream stream, long count)
    {
        const int FirstChunk = 1 << 16;
        var buffer = new byte[(int)Math.Min(count, FirstChunk)];
        int filled = 0;
        while (filled < count)
        {
            if (filled == buffer.Length)
                Array.Resize(ref buffer, (int)Math.Min(count, Math.Min(Limits.MaxInMemoryFileBytes, 2L * buffer.Length)));
            int n = stream.Read(buffer, filled, buffer.Length - filled);
            if (n == 0) break;
            filled += n;
        }
        if (filled < buffer.Length) Array.Resize(ref buffer, filled);
        return buffer;
    }

    private static int ReadUpTo(Stream stream, byte[] buffer, int count)
    {
        int filled = 0, n;
        while (filled < count && (n = stream.Read(buffer, filled, count - filled)) > 0) filled += n;
        return filled;
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

    /// <summary>The bytes tensor <paramref name="name"/> takes in the file.</summary>
    internal long ByteSizeOf(string name)
    {
        var e = Entry(name);
        return e.End - e.Begin;
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
        if (file.Length < 8) throw new SafeTensorsFormatException(source, ShortFile(file.Length));
        CheckHeaderLength(BinaryPrimitives.ReadUInt64LittleEndian(file), file.Length - 8, source);
    }

    private static string ShortFile(long length) =>
        $"the file is {length} bytes long; a safetensors file starts with an 8-byte " +
        "little-endian header length. The file is empty, truncated or not a safetensors file.";

    /// <summary>The header length <paramref name="n"/> against the limit and the bytes that follow it (when known).</summary>
    private static void CheckHeaderLength(ulong n, long? following, string source)
    {
        if (n > MaxHeaderBytes)
            throw new SafeTensorsFormatException(source,
                $"the header length field says {n} bytes, above the {MaxHeaderBytes}-byte limit. " +
                "The file is corrupt or not a safetensors file.");
        if (following is { } f && n > (ulong)f)
            throw new SafeTensorsFormatException(source,
                $"the header length field says {n} bytes but only {f} bytes follow it. " +
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
