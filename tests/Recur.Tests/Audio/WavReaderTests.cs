using Recur.Audio;

namespace Recur.Tests.Audio;

public class WavReaderTests
{
    /// <summary>The dominant frequency of a signal by a plain DFT scan at 5 Hz steps.</summary>
    private static double Dominant(float[] x, int rate, double from, double to)
    {
        double best = 0, bestPower = -1;
        for (double f = from; f <= to; f += 5)
        {
            double re = 0, im = 0;
            for (int i = 0; i < x.Length; i++) { re += x[i] * Math.Cos(2 * Math.PI * f * i / rate); im += x[i] * Math.Sin(2 * Math.PI * f * i / rate); }
            if (re * re + im * im > bestPower) { bestPower = re * re + im * im; best = f; }
        }
        return best;
    }

    [Theory]
    [InlineData(8000, 1)]
    [InlineData(16000, 1)]
    [InlineData(44100, 1)]
    [InlineData(8000, 2)]
    [InlineData(16000, 2)]
    [InlineData(44100, 2)]
    public void Reads_pcm16_at_any_rate_mono_or_stereo_and_resamples_to_16k(int rate, int channels)
    {
        var left = WavBytes.Tone(440, 0.5, rate, 0.6f);
        var right = WavBytes.Tone(440, 0.5, rate, 0.2f);
        var bytes = channels == 1 ? WavBytes.Pcm16(rate, left) : WavBytes.Pcm16(rate, left, right);
        var wave = WavReader.Read(bytes, "t.wav");
        Assert.Equal(rate, wave.SampleRate);
        Assert.Equal(left.Length, wave.Samples.Length);
        // Mono is the mean of the channels, each quantised to 16 bits.
        for (int i = 0; i < left.Length; i += 97)
        {
            float expected = channels == 1 ? left[i] : (left[i] + right[i]) / 2;
            Assert.True(Math.Abs(expected - wave.Samples[i]) < 1e-4, $"sample {i}: {wave.Samples[i]}, expected {expected}");
        }
        var at16k = WavReader.ToTargetRate(wave);
        Assert.Equal(16000, at16k.SampleRate);
        Assert.InRange(at16k.Samples.Length, 8000 - 16, 8000 + 16);
        Assert.Equal(440, Dominant(at16k.Samples, 16000, 300, 600), 0);
        float peak = at16k.Samples.Skip(1000).Take(6000).Max();
        Assert.InRange(peak, (channels == 1 ? 0.6f : 0.4f) * 0.95f, (channels == 1 ? 0.6f : 0.4f) * 1.05f);
    }

    [Fact]
    public void Bad_files_are_rejected_with_one_clear_message()
    {
        var pcm = WavBytes.Pcm16(8000, WavBytes.Tone(300, 0.1, 8000)).AsSpan(44).ToArray();
        static string Fail(byte[] b) => Assert.Throws<AudioFormatException>(() => WavReader.Read(b, "x.wav")).Message;
        Assert.Contains("not PCM (format tag 3 = IEEE float)", Fail(WavBytes.Build(3, 1, 8000, 32, new byte[64])));
        Assert.Contains("truncated WAV: the data chunk declares 3,200 bytes but only 100 follow", Fail(WavBytes.Build(1, 1, 8000, 16, pcm[..100], declaredDataSize: 3200)));
        Assert.Contains("no audio (0 samples)", Fail(WavBytes.Build(1, 1, 8000, 16, Array.Empty<byte>())));
        Assert.Contains("6 channels; expected mono or stereo", Fail(WavBytes.Build(1, 6, 8000, 16, new byte[120])));
        Assert.Contains("24-bit samples", Fail(WavBytes.Build(1, 1, 8000, 24, new byte[120])));
        Assert.Contains("not a WAV file", Fail("hello, this is text"u8.ToArray()));
        Assert.Contains("no data chunk", Fail(WavBytes.Build(1, 1, 8000, 16, pcm)[..44].Take(36).ToArray()));
        Assert.Contains("whole number", Fail(WavBytes.Build(1, 2, 8000, 16, new byte[6])));
        // A chunk declaring up to 4 GiB after the format chunk (found by fuzzing: the next chunk's
        // position overflowed and the reader threw ArgumentOutOfRangeException).
        foreach (uint declared in new[] { 0xFFFFFFFFu, 0xFFFFFFF0u, 0x7FFFFFF0u, 100u })
        {
            var file = WavBytes.Build(1, 1, 8000, 16, pcm)[..36].Concat("junk"u8.ToArray()).Concat(BitConverter.GetBytes(declared)).Concat(new byte[64]).ToArray();
            Assert.Contains("no data chunk", Fail(file));
        }
        foreach (var message in new[] { Fail(WavBytes.Build(3, 1, 8000, 32, new byte[64])), Fail(WavBytes.Build(1, 6, 8000, 16, new byte[120])) })
        {
            Assert.StartsWith("x.wav: ", message);
            Assert.DoesNotContain('\n', message);
        }
    }
}
