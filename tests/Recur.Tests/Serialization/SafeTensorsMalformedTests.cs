using System.Buffers.Binary;
using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>
/// Every way a safetensors file can be malformed gives a <see cref="SafeTensorsFormatException"/>
/// naming the source and the problem, never an index or overflow exception.
/// </summary>
public class SafeTensorsMalformedTests
{
    private const string Source = "bad.safetensors";

    private static SafeTensorsFormatException Fails(byte[] file)
    {
        var ex = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Read(file, Source));
        Assert.StartsWith(Source + ": ", ex.Message);
        Assert.Equal(Source, ex.SourceName);
        return ex;
    }

    private static string E(string name, string dtype, string shape, long begin, long end) =>
        SafeTensorsBytes.Entry(name, dtype, shape, begin, end);

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(7)]
    public void File_shorter_than_the_length_prefix(int length)
    {
        var ex = Fails(new byte[length]);
        Assert.Contains($"{length} bytes long", ex.Message);
        Assert.Contains("8-byte", ex.Message);
    }

    [Fact]
    public void Header_length_beyond_the_end_of_the_file()
    {
        var ex = Fails(SafeTensorsBytes.Build("{}", new byte[8], declaredHeaderLength: 1000));
        Assert.Contains("says 1000 bytes but only 10 bytes follow", ex.Message);
        Assert.Contains("truncated", ex.Message);
    }

    [Theory]
    [InlineData(100_000_001UL)]
    [InlineData(ulong.MaxValue)]
    public void Header_length_above_the_cap_is_refused_before_any_allocation(ulong declared)
    {
        var ex = Fails(SafeTensorsBytes.Build("{}", Array.Empty<byte>(), declared));
        Assert.Contains($"says {declared} bytes", ex.Message);
        Assert.Contains("100000000-byte limit", ex.Message);
    }

    [Fact]
    public void Header_that_is_not_UTF8()
    {
        var ex = Fails(SafeTensorsBytes.Build(new byte[] { (byte)'{', 0xFF, 0xFE, (byte)'}' }, Array.Empty<byte>()));
        Assert.Contains("not valid UTF-8 (bad byte 0xFF at header offset 1)", ex.Message);
    }

    // Each case: header JSON, data buffer length, and a fragment the message must contain.
    [Theory]
    [InlineData("{\"a\":", 0, "not valid JSON")]
    [InlineData("", 0, "not valid JSON")]
    [InlineData("[1, 2]", 0, "the header is a JSON array; expected an object")]
    [InlineData("{\"a\": 3}", 0, "tensor 'a' is a JSON number")]
    [InlineData("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "tensor 'a' has no 'dtype' field")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, "tensor 'a' has no 'shape' field")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "tensor 'a' has no 'data_offsets' field")]
    [InlineData("{\"a\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "'dtype' 32; expected a string")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "field 'dtype' twice")]
    [InlineData("{\"a\":{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[0,16]}}", 16, "unknown dtype 'F128'; known dtypes are BOOL")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":4,\"data_offsets\":[0,16]}}", 16, "'shape' 4; expected an array")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "shape dimension 0 = -1; dimensions must be non-negative integers")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,1.5],\"data_offsets\":[0,12]}}", 12, "shape dimension 1 = 1.5")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", 8, "shape dimension 0 = \"2\"")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[3000000000],\"data_offsets\":[0,4]}}", 4, "dimension 0 = 3000000000; Recur tensors hold at most")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,4]}}", 4, "element count overflows 64 bits")]
    [InlineData("{\"a\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647,4],\"data_offsets\":[0,4]}}", 4, "byte size overflows 64 bits")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4, "expected [begin, end]")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 4, "both offsets must be non-negative integers")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.0]}}", 4, "both offsets must be non-negative integers")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", 8, "[8, 4]: begin is after end")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "holds only 4 bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4, "spans 4 bytes (data_offsets [0, 4]) but shape (2,) of F32 needs 2 × 4 = 8 bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "key 'a' twice")]
    [InlineData("{\"__metadata__\":{\"epochs\":3}}", 0, "metadata value 'epochs' is a JSON number (3); the format allows only strings")]
    [InlineData("{\"__metadata__\":{\"k\":null}}", 0, "metadata value 'k' is a JSON null")]
    [InlineData("{\"__metadata__\":[\"k\"]}", 0, "'__metadata__' is a JSON array")]
    public void Malformed_header(string json, int dataLength, string expected)
    {
        var ex = Fails(SafeTensorsBytes.Build(json, new byte[dataLength]));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Overlapping_tensors()
    {
        string json = "{" + E("a", "F32", "[2]", 0, 8) + "," + E("b", "F32", "[2]", 4, 12) + "}";
        var ex = Fails(SafeTensorsBytes.Build(json, new byte[12]));
        Assert.Contains("'a' [0, 8) and 'b' [4, 12) overlap", ex.Message);
    }

    [Fact]
    public void Hole_between_tensors()
    {
        string json = "{" + E("b", "F32", "[1]", 8, 12) + "," + E("a", "F32", "[1]", 0, 4) + "}";
        var ex = Fails(SafeTensorsBytes.Build(json, new byte[12]));
        Assert.Contains("hole: bytes [4, 8) between 'a' and 'b'", ex.Message);
    }

    [Fact]
    public void Hole_before_the_first_tensor()
    {
        var ex = Fails(SafeTensorsBytes.Build("{" + E("a", "F32", "[1]", 4, 8) + "}", new byte[8]));
        Assert.Contains("bytes [0, 4) before 'a'", ex.Message);
    }

    [Fact]
    public void Trailing_bytes_after_the_last_tensor()
    {
        var ex = Fails(SafeTensorsBytes.Build("{" + E("a", "F32", "[1]", 0, 4) + "}", new byte[9]));
        Assert.Contains("5 trailing bytes", ex.Message);
    }

    [Fact]
    public void Zero_size_tensors_may_share_an_offset()
    {
        string json = "{" + E("a", "F32", "[1]", 0, 4) + "," + E("e", "F32", "[0,3]", 4, 4) + "," + E("f", "F64", "[0]", 4, 4) + "}";
        var file = SafeTensorsFile.Read(SafeTensorsBytes.Build(json, new byte[4]), Source);
        Assert.Equal(new[] { 0, 3 }, file.Get("e").ShapeArray);
    }

    [Fact]
    public void Truncation_at_every_length_and_random_corruption_only_give_format_errors()
    {
        var rng = new SeededRandom(5);
        var tensors = new[]
        {
            KeyValuePair.Create("w", Tensor.Full(0.5f, 3, 2)),
            KeyValuePair.Create("b", Tensor.Full(-1f, 3)),
        };
        byte[] good = SafeTensorsWriter.ToBytes(tensors, new Dictionary<string, string> { ["cell"] = "gru" });
        for (int length = 0; length < good.Length; length++)
            Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Read(good.AsSpan(0, length), Source));

        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(good);
        int rejected = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            byte[] bad = (byte[])good.Clone();
            for (int flips = 1 + rng.NextInt(3); flips > 0; flips--)
            {
                // Mostly corrupt the prefix and header, where the structure lives.
                int at = rng.NextInt(8 + n + 4);
                bad[at] = (byte)rng.NextInt(256);
            }
            try
            {
                var file = SafeTensorsFile.Read(bad, Source);
                foreach (string name in file.Names)
                    if (file.DtypeOf(name) is "F32" or "F64" or "F16" or "BF16") file.Get(name);
            }
            catch (SafeTensorsFormatException) { rejected++; }
        }
        Assert.True(rejected > 1000, $"only {rejected} of 3000 corrupted files were rejected");
    }
}
