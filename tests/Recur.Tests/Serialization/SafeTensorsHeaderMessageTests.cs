using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>
/// The whole sentence of each header problem, the header rules at their edges (a bad first byte,
/// the nesting limit, a null metadata object, unknown fields), and what a lookup of a missing
/// tensor lists.
/// </summary>
public class SafeTensorsHeaderMessageTests
{
    private const string Source = "header.safetensors";

    private static string E(string name, string dtype, string shape, long begin, long end) => SafeTensorsBytes.Entry(name, dtype, shape, begin, end);

    private static SafeTensorsFile Read(string header, int dataLength) => SafeTensorsFile.Read(SafeTensorsBytes.Build(header, new byte[dataLength]), Source);

    private static string Refusal(string header, int dataLength)
        => Assert.Throws<SafeTensorsFormatException>(() => Read(header, dataLength)).Message;

    public static TheoryData<string, int, string> Problems => new()
    {
        { "\"x\"", 0, "the header is a JSON string; expected an object mapping tensor names to entries." },
        { "3", 0, "the header is a JSON number; expected an object mapping tensor names to entries." },
        { "true", 0, "the header is a JSON boolean; expected an object mapping tensor names to entries." },
        { "null", 0, "the header is a JSON null; expected an object mapping tensor names to entries." },
        { "{\"__metadata__\":{\"epochs\":3}}", 0, "metadata value 'epochs' is a JSON number (3); the format allows only strings. Store it as a string, e.g. \"3\"." },
        { "{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}", 0, "metadata key 'k' appears twice." },
        { "{\"__metadata__\":{\"k\":{}}}", 0, "metadata value 'k' is a JSON object ({}); the format allows only strings. Store it as a string, e.g. \"{}\"." },
        { "{" + E("a", "F32", "[2]", 0, 8) + "}", 4, "tensor 'a' has data_offsets [0, 8] but the data buffer after the header holds only 4 bytes. The file is truncated or the offsets are wrong." },
        { "{" + E("a", "F32", "[1]", 0, 4) + "," + E("b", "F32", "[2]", 4, 8) + "}", 8, "tensor 'b' spans 4 bytes (data_offsets [4, 8]) but shape (2,) of F32 needs 2 × 4 = 8 bytes." },
        { "{" + E("a", "F32", "[1]", 0, 4) + "}", 9, "the data buffer is 9 bytes but the tensors cover only [0, 4); 5 trailing bytes belong to no tensor." },
        { "{" + E("a", "F128", "[1]", 0, 16) + "}", 16, "tensor 'a' has unknown dtype 'F128'; known dtypes are BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, I64, U64, F64." },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void Each_header_problem_is_told_in_full(string header, int dataLength, string expected)
        => Assert.Equal($"{Source}: {expected}", Refusal(header, dataLength));

    [Fact]
    public void Every_dtype_of_the_format_is_read()
    {
        string[] dtypes = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "I64", "U64", "F64"];
        int[] sizes = [1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 8, 8, 8];
        long offset = 0;
        var entries = new List<string>();
        for (int i = 0; i < dtypes.Length; i++) entries.Add(E("t" + i, dtypes[i], "[1]", offset, offset += sizes[i]));

        var file = Read("{" + string.Join(",", entries) + "}", (int)offset);

        Assert.Equal(dtypes, Enumerable.Range(0, dtypes.Length).Select(i => file.DtypeOf("t" + i)));
        Assert.Equal(sizes.Select(s => (long)s), Enumerable.Range(0, dtypes.Length).Select(i => file.ByteSizeOf("t" + i)));
    }

    [Fact]
    public void A_bad_byte_at_the_very_start_of_the_header_is_told_as_not_utf8()
    {
        byte[] header = [0xFF, .. "{}    "u8];
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Read(SafeTensorsBytes.Build(header, []), Source));

        Assert.Equal($"{Source}: the header is not valid UTF-8 (bad byte 0xFF at header offset 0). The file is corrupt or not a safetensors file.", e.Message);
    }

    [Fact]
    public void Unknown_fields_are_skipped_but_nesting_deeper_than_16_is_not_json()
    {
        string Nested(int depth) => new string('[', depth) + new string(']', depth);
        string Entry(string note) => "{\"a\":{\"note\":" + note + ",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";

        Assert.Equal([1], Read(Entry(Nested(13)), 4).ShapeOf("a"));
        Assert.StartsWith($"{Source}: the header is not valid JSON (", Refusal(Entry(Nested(20)), 4));
    }

    [Fact]
    public void A_null_metadata_object_is_no_metadata()
        => Assert.Empty(Read("{\"__metadata__\":null," + E("a", "F32", "[1]", 0, 4) + "}", 4).Metadata);

    [Fact]
    public void A_pipe_whose_offsets_pass_the_reading_limit_is_told_the_limit()
    {
        long end = Limits.MaxInMemoryFileBytes + 1;
        var stream = new PipeStream(SafeTensorsBytes.Build("{" + E("a", "U8", $"[{end}]", 0, end) + "}", []));

        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Read(stream, Source));

        Assert.Equal($"{Source}: tensor 'a' has data_offsets [0, {end}], beyond the {Limits.MaxInMemoryFileBytes} bytes Recur reads.", e.Message);
    }

    [Fact]
    public void A_missing_tensor_lists_up_to_30_names_and_counts_the_rest()
    {
        static SafeTensorsFile WithTensors(int count) => Read("{" + string.Join(",", Enumerable.Range(0, count).Select(i => E("t" + i, "F32", "[1]", 4 * i, 4 * i + 4))) + "}", 4 * count);
        string Names(int count) => string.Join(", ", Enumerable.Range(0, count).Select(i => $"'t{i}'"));

        Assert.Equal($"{Source} has no tensor 'x'. Available tensors: (none).", Assert.Throws<KeyNotFoundException>(() => WithTensors(0).Get("x")).Message);
        Assert.Equal($"{Source} has no tensor 'x'. Available tensors: {Names(30)}.", Assert.Throws<KeyNotFoundException>(() => WithTensors(30).Get("x")).Message);
        Assert.Equal($"{Source} has no tensor 'x'. Available tensors: {Names(30)}, … (2 more).", Assert.Throws<KeyNotFoundException>(() => WithTensors(32).ShapeOf("x")).Message);
        Assert.Throws<ArgumentNullException>("name", () => WithTensors(1).Get(null!));
    }
}
