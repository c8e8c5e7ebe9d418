using System.Buffers.Binary;
using System.Text;
using Recur.Serialization;

namespace Recur.Tests.Serialization;

public class SafeTensorsRoundTripTests
{
    /// <summary>Tensors in deliberately non-alphabetical order, with awkward shapes and special values.</summary>
    private static List<KeyValuePair<string, Tensor>> Sample()
    {
        var rng = new SeededRandom(11);
        var special = Tensor.FromArray(new[]
        {
            float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, float.Epsilon, -float.MaxValue,
            BitConverter.Int32BitsToSingle(0x7FC00123), // a NaN with payload: must survive bit for bit
        }, 7);
        var weights = Tensor.Zeros(4, 3);
        for (int i = 0; i < weights.Length; i++) weights.Span[i] = rng.Uniform(-1, 1);
        return new()
        {
            new("zeta", weights),
            new("alpha.bias", special),
            new("scalar", Tensor.FromArray(new[] { 3.5f })),
            new("empty", Tensor.Zeros(0, 5)),
            new("cube", Tensor.Full(-2.25f, 2, 1, 3)),
            new("名前", Tensor.Full(1f, 1)),
        };
    }

    private static readonly Dictionary<string, string> SampleMetadata = new()
    {
        ["cell"] = "lstm", ["note"] = "quote \" and \\ and \n newline", ["empty"] = "",
    };

    private static void AssertSame(List<KeyValuePair<string, Tensor>> expected, SafeTensorsFile file)
    {
        Assert.Equal(expected.Select(p => p.Key), file.Names);
        foreach (var (name, tensor) in expected)
        {
            Assert.True(file.Contains(name));
            Assert.Equal("F32", file.DtypeOf(name));
            Assert.Equal(tensor.ShapeArray, file.ShapeOf(name));
            var read = file.Get(name);
            Assert.Equal(tensor.ShapeArray, read.ShapeArray);
            Assert.Equal(tensor.Span.ToArray().Select(BitConverter.SingleToInt32Bits), read.Span.ToArray().Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void Write_then_read_gives_bit_identical_values_shapes_order_and_metadata()
    {
        using var dir = new TempDirectory();
        var tensors = Sample();
        string path = dir.File("sample.safetensors");
        SafeTensorsWriter.Write(path, tensors, SampleMetadata);

        var file = SafeTensorsFile.Read(path);
        AssertSame(tensors, file);
        Assert.Equal(SampleMetadata.OrderBy(p => p.Key), file.Metadata.OrderBy(p => p.Key));
        Assert.Equal(new[] { "sample.safetensors" }, dir.FileNames());
    }

    [Fact]
    public void ToBytes_matches_the_file_and_reads_back_from_span_and_stream()
    {
        using var dir = new TempDirectory();
        var tensors = Sample();
        string path = dir.File("a.safetensors");
        SafeTensorsWriter.Write(path, tensors, SampleMetadata);
        byte[] bytes = SafeTensorsWriter.ToBytes(tensors, SampleMetadata);

        Assert.Equal(File.ReadAllBytes(path), bytes);
        AssertSame(tensors, SafeTensorsFile.Read(bytes, "memory"));
        AssertSame(tensors, SafeTensorsFile.Read(new NonSeekableStream(bytes), "pipe"));
    }

    [Fact]
    public void Header_is_space_padded_so_data_starts_on_an_8_byte_boundary()
    {
        // Names of lengths 1..8 shift the JSON length through every residue mod 8.
        for (int len = 1; len <= 8; len++)
        {
            byte[] bytes = SafeTensorsWriter.ToBytes(new[] { KeyValuePair.Create(new string('x', len), Tensor.Full(1.5f, 3)) });
            ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            Assert.Equal(0UL, (8 + n) % 8);
            string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
            string json = header.TrimEnd(' ');
            Assert.EndsWith("}", json);
            Assert.True(header.Length - json.Length < 8, $"padding of {header.Length - json.Length} spaces");
            Assert.Equal(8 + (int)n + 12, bytes.Length);
            Assert.Equal(1.5f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + (int)n)));
        }
    }

    [Fact]
    public void Reads_a_hand_built_file_with_little_endian_data_and_file_order()
    {
        // Header written by hand, no padding: "b" first though its data comes second.
        string json = "{\"__metadata__\":{\"format\":\"pt\"}," +
                      SafeTensorsBytes.Entry("b", "F32", "[1,1]", 8, 12) + "," +
                      SafeTensorsBytes.Entry("a", "F32", "[2]", 0, 8) + "}";
        byte[] data =
        {
            0x00, 0x00, 0x80, 0x3F, // 1.0f little-endian
            0x00, 0x00, 0x00, 0xC0, // -2.0f
            0x00, 0x00, 0x20, 0x41, // 10.0f
        };
        var file = SafeTensorsFile.Read(SafeTensorsBytes.Build(json, data), "hand");

        Assert.Equal(new[] { "b", "a" }, file.Names);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(new[] { 1f, -2f }, file.Get("a").ToArray());
        Assert.Equal(new[] { 1, 1 }, file.Get("b").ShapeArray);
        Assert.Equal(10f, file.Get("b")[0, 0]);
    }

    [Fact]
    public void File_with_only_metadata_or_nothing_is_valid()
    {
        var empty = SafeTensorsFile.Read(SafeTensorsBytes.Build("{}", Array.Empty<byte>()), "empty");
        Assert.Empty(empty.Names);
        Assert.Empty(empty.Metadata);

        var meta = SafeTensorsFile.Read(SafeTensorsWriter.ToBytes(Array.Empty<KeyValuePair<string, Tensor>>(),
            new Dictionary<string, string> { ["k"] = "v" }), "meta");
        Assert.Empty(meta.Names);
        Assert.Equal("v", meta.Metadata["k"]);
    }

    [Fact]
    public void Missing_tensor_error_lists_the_available_names()
    {
        var file = SafeTensorsFile.Read(SafeTensorsWriter.ToBytes(Sample()), "sample");
        var ex = Assert.Throws<KeyNotFoundException>(() => file.Get("weight"));
        Assert.Contains("'weight'", ex.Message);
        Assert.Contains("sample", ex.Message);
        Assert.Contains("'zeta', 'alpha.bias', 'scalar'", ex.Message);
        Assert.Throws<KeyNotFoundException>(() => file.ShapeOf("weight"));
        Assert.False(file.Contains("weight"));
    }

    [Fact]
    public void Writer_rejects_duplicate_reserved_and_empty_names()
    {
        var t = Tensor.Zeros(1);
        var dup = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.ToBytes(new[] { KeyValuePair.Create("w", t), KeyValuePair.Create("w", t) }));
        Assert.Contains("'w' appears twice", dup.Message);
        var reserved = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.ToBytes(new[] { KeyValuePair.Create("__metadata__", t) }));
        Assert.Contains("reserved", reserved.Message);
        Assert.Throws<ArgumentException>(() => SafeTensorsWriter.ToBytes(new[] { KeyValuePair.Create("", t) }));
    }

    /// <summary>A read-only stream that cannot seek, like a pipe or a network stream.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}
