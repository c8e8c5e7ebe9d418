using System.Buffers.Binary;

namespace Recur.Tests.Audio;

/// <summary>RIFF/WAVE files built byte by byte for the tests.</summary>
internal static class WavBytes
{
    /// <summary>A 16-bit PCM file of <paramref name="channels"/> interleaved channels (channel c of frame i is samples[c][i]).</summary>
    public static byte[] Pcm16(int rate, params float[][] channels)
    {
        int frames = channels[0].Length, n = channels.Length;
        var data = new byte[frames * n * 2];
        for (int i = 0; i < frames; i++)
            for (int c = 0; c < n; c++)
                BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan((i * n + c) * 2), (short)Math.Clamp(MathF.Round(channels[c][i] * 32767f), -32768, 32767));
        return Build(1, n, rate, 16, data);
    }

    /// <summary>A file with any header values and data bytes (for malformed cases).</summary>
    public static byte[] Build(int formatTag, int channels, int rate, int bits, byte[] data, int? declaredDataSize = null)
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        w.Write("RIFF"u8.ToArray());
        w.Write(36 + data.Length);
        w.Write("WAVE"u8.ToArray());
        w.Write("fmt "u8.ToArray());
        w.Write(16);
        w.Write((short)formatTag);
        w.Write((short)channels);
        w.Write(rate);
        w.Write(rate * channels * bits / 8);
        w.Write((short)(channels * bits / 8));
        w.Write((short)bits);
        w.Write("data"u8.ToArray());
        w.Write(declaredDataSize ?? data.Length);
        w.Write(data);
        w.Flush();
        return ms.ToArray();
    }

    public static float[] Tone(double hz, double seconds, int rate, float amplitude = 0.5f)
        => Enumerable.Range(0, (int)(seconds * rate)).Select(i => amplitude * (float)Math.Sin(2 * Math.PI * hz * i / rate)).ToArray();

    /// <summary>A linear chirp from f0 to f1 Hz: phase 2π(f0·t + (f1 − f0)·t²/(2·duration)).</summary>
    public static float[] Chirp(double f0, double f1, double seconds, int rate)
        => Enumerable.Range(0, (int)(seconds * rate)).Select(i =>
        {
            double t = (double)i / rate;
            return 0.5f * (float)Math.Sin(2 * Math.PI * (f0 * t + (f1 - f0) * t * t / (2 * seconds)));
        }).ToArray();
}
