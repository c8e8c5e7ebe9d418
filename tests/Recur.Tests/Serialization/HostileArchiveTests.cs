using System.IO.Compression;
using System.Text;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;
using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>
/// Streams that never end, decompression bombs, corrupted archives and odd tensor names end in
/// the readers' documented exceptions, with memory bounded by the bytes that arrive.
/// </summary>
public class HostileArchiveTests
{
    /// <summary>An endless stream of one byte value that cannot seek; it fails the test if read too far.</summary>
    private sealed class EndlessStream(byte value, byte[]? start = null) : Stream
    {
        private const long TooFar = 64L << 20;
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position > TooFar) throw new InvalidOperationException($"the reader read more than {TooFar} bytes of an endless stream");
            for (int i = 0; i < count; i++, _position++)
                buffer[offset + i] = start is not null && _position < start.Length ? start[_position] : value;
            return count;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void An_endless_stream_of_zeros_fails_at_the_header()
    {
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Read(new EndlessStream(0), "zeros"));
        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void An_endless_stream_after_a_valid_file_is_trailing_data()
    {
        var good = SafeTensorsWriter.ToBytes(new[] { KeyValuePair.Create("w", Tensor.FromArray(new float[] { 1, 2 }, 2)) });
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Read(new EndlessStream(7, good), "endless"));
        Assert.Contains("belong to no tensor", e.Message);
    }

    [Fact]
    public void A_stream_that_ends_early_is_truncated()
    {
        var good = SafeTensorsWriter.ToBytes(new[] { KeyValuePair.Create("w", Tensor.FromArray(new float[] { 1, 2 }, 2)) });
        using var pipe = new NonSeekable(good.AsSpan(0, good.Length - 3).ToArray());
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Read(pipe, "pipe"));
        Assert.Contains("truncated", e.Message);

        using var whole = new NonSeekable(good);
        Assert.Equal(new float[] { 1, 2 }, SafeTensorsFile.Read(whole, "pipe").Get("w").ToArray());
    }

    private sealed class NonSeekable(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public void A_decompression_bomb_is_refused_before_it_is_inflated()
    {
        // 80 MB of zeros deflates to under 100 KB: far beyond 100× the archive, and above the 64 MiB floor.
        var archive = new MemoryStream();
        using (var zip = new ZipArchive(archive, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("arr_0.npy", CompressionLevel.SmallestSize).Open();
            const int n = 20_000_000;
            entry.Write(NpzBytes.Npy(NpzBytes.Header("<f4", $"({n},)"), Array.Empty<byte>()));
            var zeros = new byte[1 << 20];
            for (long written = 0; written < 4L * n; written += zeros.Length) entry.Write(zeros, 0, (int)Math.Min(zeros.Length, 4L * n - written));
        }
        Assert.True(archive.Length < 1 << 20, $"the archive is {archive.Length} bytes");
        archive.Position = 0;

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<NpzFormatException>(() => NpzFile.Read(archive, "bomb.npz"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("decompression bomb", e.Message);
        Assert.True(allocated < 16L << 20, $"reading allocated {allocated:N0} bytes");
    }

    [Fact]
    public void Small_archives_of_zeros_still_load()
    {
        var zeros = NpzBytes.F4(new float[100_000]);
        using var archive = NpzBytes.Zip(CompressionLevel.SmallestSize, ("arr_0.npy", NpzBytes.Npy(NpzBytes.Header("<f4", "(100000,)"), zeros)));
        Assert.Equal(100_000, NpzFile.Read(archive, "zeros.npz").Get("arr_0").Length);
    }

    [Fact]
    public void An_entry_whose_crc_does_not_match_is_corrupt()
    {
        var npy = NpzBytes.Npy(NpzBytes.Header("<f4", "(3,)"), NpzBytes.F4(1, 2, 3));
        var bytes = NpzBytes.Zip(("arr_0.npy", npy)).ToArray();
        // Stored (not deflated): the entry's last float is in the file as is; change it.
        int at = bytes.AsSpan().IndexOf(NpzBytes.F4(3));
        Assert.True(at > 0);
        bytes[at + 3] ^= 0x01;

        var e = Assert.Throws<NpzFormatException>(() => NpzFile.Read(new MemoryStream(bytes), "flipped.npz"));
        Assert.Contains("CRC-32", e.Message);
    }

    [Fact]
    public void Crc32_has_the_standard_check_value()
        => Assert.Equal(0xCBF43926u, Crc32.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void Non_finite_keras_weights_are_refused_with_the_array_named()
    {
        var model = new Sequential(new Dense(2));
        model.Build(3);
        var kernel = Tensor.Zeros(3, 2);
        kernel.Span[4] = float.NaN;
        var e = Assert.Throws<WeightImportException>(() => model.ImportKeras(new[] { kernel, Tensor.Zeros(2) }));
        Assert.Contains("arr_0", e.Message);
        Assert.Contains("the first is NaN, element 4", e.Message);
        Assert.Equal(0, model.Layers[0].Parameters[1].Value.Span[0]);
    }

    [Fact]
    public void Non_finite_pytorch_weights_are_refused_with_the_tensor_named()
    {
        var model = new Sequential(new Dense(2, name: "fc"));
        model.Build(3);
        var bias = Tensor.Zeros(2);
        bias.Span[0] = float.NegativeInfinity;
        var bytes = SafeTensorsWriter.ToBytes(new[] { KeyValuePair.Create("fc.weight", Tensor.Zeros(2, 3)), KeyValuePair.Create("fc.bias", bias) });
        var e = Assert.Throws<WeightImportException>(() => model.ImportPyTorch(SafeTensorsFile.Read(bytes, "torch.safetensors")));
        Assert.Contains("'fc.bias' holds 1 non-finite value; the first is −∞", e.Message);
    }

    [Fact]
    public void A_recurrent_tensor_name_with_a_non_ascii_digit_is_just_an_unknown_name()
    {
        var model = new Sequential(new Lstm(2, name: "lstm"));
        // "weight_ih_l٣": an Arabic-Indic three, which \d matches but int.Parse refuses.
        var bytes = SafeTensorsWriter.ToBytes(new[] { KeyValuePair.Create("lstm.weight_ih_l\u0663", Tensor.Zeros(8, 3)) });
        var e = Assert.Throws<WeightImportException>(() => model.ImportPyTorch(SafeTensorsFile.Read(bytes, "odd.safetensors"), inputShape: new[] { -1, 3 }));
        Assert.Contains("lstm.weight_ih_l0", e.Message);
    }
}
