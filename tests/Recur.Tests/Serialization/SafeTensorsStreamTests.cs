using System.Buffers.Binary;
using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>
/// Reading a safetensors file from a stream: from where the stream stands, to its end whether or
/// not it tells its length, with each kind of shortfall or excess named as exactly as the bytes allow.
/// </summary>
public class SafeTensorsStreamTests
{
    private const string Source = "stream.safetensors";

    /// <summary>One F32 tensor 'w' = [1.5, −2], header padded to 8 bytes as the writer does.</summary>
    private static byte[] TwoFloats() => SafeTensorsWriter.ToBytes([KeyValuePair.Create("w", new Tensor([1.5f, -2f], 2))]);

    private static string Refusal(Stream stream)
        => Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Read(stream, Source)).Message;

    private static byte[] Prefix(ulong headerLength, int following)
    {
        var bytes = new byte[8 + following];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength);
        bytes.AsSpan(8).Fill((byte)' ');
        return bytes;
    }

    [Fact]
    public void A_stream_is_read_from_its_current_position()
    {
        var bytes = new byte[5].Concat(TwoFloats()).ToArray();
        var stream = new MemoryStream(bytes) { Position = 5 };

        Assert.Equal([1.5f, -2f], SafeTensorsFile.Read(stream, Source).Get("w").ToArray());
    }

    [Fact]
    public void A_device_that_reports_no_length_is_read_to_its_end()
        => Assert.Equal([1.5f, -2f], SafeTensorsFile.Read(new DeviceStream(TwoFloats()), Source).Get("w").ToArray());

    [Fact]
    public void Trailing_bytes_of_a_file_are_counted_and_those_of_a_pipe_are_refused_at_the_first()
    {
        using var dir = new TempDirectory();
        string path = dir.File("trailing.safetensors");
        File.WriteAllBytes(path, [.. TwoFloats(), 0]);

        var file = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Read(path));
        Assert.Equal($"{path}: the data buffer is 9 bytes but the tensors cover only [0, 8); 1 trailing bytes belong to no tensor.", file.Message);
        Assert.Equal($"{Source}: more bytes follow the 8 bytes of data the header's tensors cover; they belong to no tensor.",
            Refusal(new PipeStream([.. TwoFloats(), 0])));
    }

    [Fact]
    public void A_pipe_shorter_than_the_length_prefix_is_told_its_length()
        => Assert.Equal($"{Source}: the file is 5 bytes long; a safetensors file starts with an 8-byte little-endian header length. " +
                        "The file is empty, truncated or not a safetensors file.", Refusal(new PipeStream(new byte[5])));

    [Fact]
    public void A_file_of_just_the_length_prefix_has_an_empty_header_which_is_not_json()
        => Assert.StartsWith($"{Source}: the header is not valid JSON (", Refusal(new MemoryStream(new byte[8])));

    [Fact]
    public void A_header_length_beyond_the_bytes_that_follow_is_told_with_both_counts()
    {
        Assert.Equal($"{Source}: the header length field says 1000 bytes but only 22 bytes follow it. The file is truncated or not a safetensors file.",
            Refusal(new MemoryStream(Prefix(1000, 22))));
        Assert.Equal($"{Source}: the header length field says 100 bytes but only 20 bytes follow it. The file is truncated or not a safetensors file.",
            Refusal(new PipeStream(Prefix(100, 20))));
    }

    [Fact]
    public void A_header_length_above_the_limit_is_refused_before_reading_the_header()
        => Assert.Equal($"{Source}: the header length field says 100000001 bytes, above the 100000000-byte limit. The file is corrupt or not a safetensors file.",
            Refusal(new MemoryStream(Prefix(100_000_001, 22))));

    [Fact]
    public void A_forged_header_length_on_a_pipe_takes_memory_only_for_the_bytes_that_arrive()
    {
        var stream = new PipeStream(Prefix(100_000_000, 70_000));
        long before = GC.GetAllocatedBytesForCurrentThread();

        string message = Refusal(stream);

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16L << 20, "the reader allocated the forged header length");
        Assert.Equal($"{Source}: the header length field says 100000000 bytes but only 70000 bytes follow it. The file is truncated or not a safetensors file.", message);
    }

    [Fact]
    public void Tensors_reaching_the_in_memory_limit_are_read_and_one_byte_more_is_refused_before_reading()
    {
        // One U8 tensor whose end makes prefix + header + data exactly the limit, or one byte more; the pipe then ends.
        static byte[] File(long extra, out long needed)
        {
            string Header(long n) => "{" + SafeTensorsBytes.Entry("big", "U8", $"[{n}]", 0, n) + "}";
            int headerLength = Header(Limits.MaxInMemoryFileBytes).Length;
            needed = Limits.MaxInMemoryFileBytes - 8 - headerLength + extra;
            string header = Header(needed);
            Assert.Equal(headerLength, header.Length);
            return SafeTensorsBytes.Build(header, []);
        }

        string atLimit = Refusal(new PipeStream(File(0, out long fits)));
        string beyond = Refusal(new PipeStream(File(1, out long tooMany)));

        Assert.Equal($"{Source}: the header's tensors need {fits} bytes of data but only 0 follow the header. The file is truncated.", atLimit);
        Assert.Equal($"{Source}: the tensors take {tooMany} bytes; Recur reads safetensors files of at most {Limits.MaxInMemoryFileBytes} bytes.", beyond);
    }

    [Fact]
    public void A_null_stream_or_source_name_is_refused_by_its_argument_name()
    {
        Assert.Throws<ArgumentNullException>("stream", () => SafeTensorsFile.Read((Stream)null!, Source));
        Assert.Throws<ArgumentNullException>("sourceName", () => SafeTensorsFile.Read(new MemoryStream(TwoFloats()), null!));
        Assert.Throws<ArgumentNullException>("sourceName", () => SafeTensorsFile.Read(TwoFloats().AsSpan(), null!));
    }
}
