using System.IO.Compression;
using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>
/// An .npz archive as a whole: the streams it is read from (a pipe too, and the caller's stream
/// left open), the records it skips or refuses, the limits on entries and on decompressed bytes
/// with the numbers they were computed from, the names a lookup lists, and the numeric order.
/// </summary>
public class NpzArchiveTests
{
    private const string Source = "arrays.npz";

    private static byte[] Floats(params float[] values) => NpzBytes.Npy(NpzBytes.Header("<f4", $"({values.Length},)"), NpzBytes.F4(values));

    /// <summary>An .npy of <paramref name="count"/> float64 zeros (8 bytes each, so the tensor takes half the entry's bytes).</summary>
    private static byte[] Zeros(int count) => NpzBytes.Npy(NpzBytes.Header("<f8", $"({count},)"), new byte[8L * count]);

    /// <summary>A zip of the entries, each stored or deflated as given.</summary>
    private static MemoryStream Zip(params (string Name, byte[] Bytes, CompressionLevel Level)[] entries)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes, level) in entries)
            {
                using var s = zip.CreateEntry(name, level).Open();
                s.Write(bytes);
            }
        stream.Position = 0;
        return stream;
    }

    private static string Refusal(Stream stream) => Assert.Throws<NpzFormatException>(() => NpzFile.Read(stream, Source)).Message;

    [Fact]
    public void An_archive_is_read_from_a_pipe_and_the_callers_stream_is_left_open()
    {
        var zip = NpzBytes.Zip(("a.npy", Floats(1f, 2f)));
        var fromPipe = NpzFile.Read(new PipeStream(zip.ToArray()), Source);
        var fromStream = NpzFile.Read(zip, Source);

        Assert.Equal([1f, 2f], fromPipe.Get("a").ToArray());
        Assert.Equal([1f, 2f], fromStream.Get("a").ToArray());
        Assert.True(zip.CanRead, "reading the archive closed the caller's stream");
    }

    [Fact]
    public void A_null_stream_source_name_or_array_name_is_refused_by_its_argument_name()
    {
        Assert.Throws<ArgumentNullException>("stream", () => NpzFile.Read((Stream)null!, Source));
        Assert.Throws<ArgumentNullException>("sourceName", () => NpzFile.Read(NpzBytes.Zip(("a.npy", Floats(1f))), null!));
        Assert.Throws<ArgumentNullException>("name", () => NpzFile.Read(NpzBytes.Zip(("a.npy", Floats(1f))), Source).Get(null!));
    }

    [Fact]
    public void A_missing_array_lists_the_names_or_says_there_are_none()
    {
        var two = NpzFile.Read(NpzBytes.Zip(("a.npy", Floats(1f)), ("b.npy", Floats(2f))), Source);
        var none = NpzFile.Read(NpzBytes.Zip(), Source);

        Assert.Equal($"{Source} has no array 'c'. Available arrays: 'a', 'b'.", Assert.Throws<KeyNotFoundException>(() => two.Get("c")).Message);
        Assert.Equal($"{Source} has no array 'c'. Available arrays: (none).", Assert.Throws<KeyNotFoundException>(() => none.Get("c")).Message);
    }

    [Fact]
    public void Directory_records_are_skipped_and_other_entries_refused()
    {
        var file = NpzFile.Read(NpzBytes.Zip(("weights/", []), ("weights/a.npy", Floats(3f))), Source);

        Assert.Equal(["weights/a"], file.Names);
        Assert.Equal($"{Source}: entry 'notes.txt': not a .npy array; an .npz archive should hold only .npy entries.",
            Refusal(NpzBytes.Zip(("a.npy", Floats(1f)), ("notes.txt", [1]))));
    }

    [Fact]
    public void As_many_entries_as_the_limit_are_read_and_one_more_is_refused()
    {
        static MemoryStream WithEntries(int count) => NpzBytes.Zip(Enumerable.Range(1, count - 1).Select(i => ($"d{i}/", Array.Empty<byte>()))
            .Append(("a.npy", Floats(1f))).ToArray());

        Assert.Equal(["a"], NpzFile.Read(WithEntries(Limits.MaxNpzEntries), Source).Names);
        Assert.Equal($"{Source}: the archive has {Limits.MaxNpzEntries + 1:N0} entries; Recur reads at most {Limits.MaxNpzEntries:N0}.",
            Refusal(WithEntries(Limits.MaxNpzEntries + 1)));
    }

    [Fact]
    public void The_decompressed_bytes_of_all_entries_count_against_the_floor_of_a_small_archive()
    {
        // Each entry alone fits in the 64 MiB floor, the two together do not.
        byte[] zeros = Zeros(5 << 20);
        var zip = Zip(("a.npy", zeros, CompressionLevel.SmallestSize), ("b.npy", zeros, CompressionLevel.SmallestSize));
        long archiveBytes = zip.Length;

        Assert.Equal($"{Source}: entry 'b.npy': declares {zeros.Length:N0} decompressed bytes, which with the {zeros.Length:N0} bytes before it is more than the " +
                     $"{Limits.NpzInflationFloorBytes:N0} bytes Recur reads from an archive of {archiveBytes:N0} bytes " +
                     $"({Limits.MaxNpzInflation}× its size, at least {Limits.NpzInflationFloorBytes:N0}). The archive is corrupt or a decompression bomb.", Refusal(zip));
    }

    [Fact]
    public void An_archive_after_other_bytes_in_its_stream_is_as_large_as_what_is_left()
    {
        // The caller's stream holds 1 MiB of other bytes, then an archive written there (its
        // offsets count from the stream's start, as in a self-extracting file), and is positioned
        // at the archive: its size is what is left, and its limit the floor's, as alone.
        byte[] zeros = Zeros(5 << 20);
        var stream = new MemoryStream();
        stream.Write(new byte[1 << 20]);
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var name in new[] { "a.npy", "b.npy" })
            {
                using var s = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
                s.Write(zeros);
            }
        long archiveBytes = stream.Length - (1 << 20);
        stream.Position = 1 << 20;

        Assert.Contains($"more than the {Limits.NpzInflationFloorBytes:N0} bytes Recur reads from an archive of {archiveBytes:N0} bytes", Refusal(stream));
    }

    [Fact]
    public void A_larger_archive_may_inflate_to_100_times_its_size()
    {
        // 680 KB stored, so 100× the archive is above the floor; 92 MB of deflated zeros declare more than that.
        var zip = Zip(("a.npy", Zeros(85_000), CompressionLevel.NoCompression), ("b.npy", Zeros(11 << 20), CompressionLevel.SmallestSize));
        long archiveBytes = zip.Length;
        Assert.True(Limits.MaxNpzInflation * archiveBytes > Limits.NpzInflationFloorBytes);

        Assert.Contains($"more than the {Limits.MaxNpzInflation * archiveBytes:N0} bytes Recur reads from an archive of {archiveBytes:N0} bytes", Refusal(zip));
    }

    [Fact]
    public void Numeric_order_breaks_ties_by_leading_zeros_and_reads_names_that_are_all_digits()
    {
        var file = NpzFile.Read(NpzBytes.Zip(("w01.npy", Floats(1f)), ("w1.npy", Floats(2f)), ("12.npy", Floats(3f)), ("3.npy", Floats(4f))), Source);

        Assert.Equal(["3", "12", "w1", "w01"], file.ArraysByNumericSuffix.Select(a => a.Key));
    }
}
