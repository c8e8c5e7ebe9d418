using System.Buffers.Binary;
using NWaves.Operations;
using NWaves.Signals;

namespace Recur.Audio;

/// <summary>
/// Reads RIFF/WAVE files of 16-bit PCM at any sample rate, mono or stereo, into mono audio, and
/// resamples to the front end's 16 kHz. Anything else (float or compressed formats, other sample
/// sizes, more than two channels, a truncated or empty file) is rejected with one clear message.
/// </summary>
/// <remarks>
/// Layout: "RIFF" size "WAVE", then chunks (4-byte id, 4-byte little-endian size, data padded to an
/// even length). "fmt " gives the format tag (1 = PCM, or 0xFFFE "extensible" with the PCM
/// sub-format), channels, sample rate and bits per sample; "data" holds interleaved little-endian
/// int16 frames. Stereo becomes mono as the mean of the two channels; int16 s maps to s / 32768.
/// </remarks>
public static class WavReader
{
    /// <summary>The rate the front end works at.</summary>
    public const int TargetRate = 16000;

    /// <summary>Reads <paramref name="path"/> as mono at its own rate.</summary>
    /// <exception cref="AudioFormatException">The file is not 16-bit PCM mono/stereo WAV, is truncated or holds no samples.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static Waveform Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file.", path);
        return Read(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads WAV <paramref name="bytes"/> (named <paramref name="source"/> in messages) as mono at its own rate.</summary>
    /// <exception cref="AudioFormatException">The bytes are not 16-bit PCM mono/stereo WAV, are truncated or hold no samples.</exception>
    public static Waveform Read(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual("RIFF"u8) || !bytes.Slice(8, 4).SequenceEqual("WAVE"u8))
            throw new AudioFormatException($"{source}: not a WAV file (no RIFF/WAVE header); expected 16-bit PCM WAV.");
        int channels = 0, rate = 0, bits = 0;
        bool haveFormat = false;
        int position = 12;
        while (position + 8 <= bytes.Length)
        {
            var id = bytes.Slice(position, 4);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(position + 4, 4));
            int body = position + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || body + size > bytes.Length)
                    throw new AudioFormatException($"{source}: truncated WAV (the format chunk is cut short); expected a complete 16-bit PCM WAV file.");
                var fmt = bytes.Slice(body, (int)size);
                int tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
                if (tag == 0xFFFE && size >= 26) tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt.Slice(24, 2)); // WAVE_FORMAT_EXTENSIBLE sub-format
                channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt.Slice(2, 2));
                rate = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(fmt.Slice(4, 4)), int.MaxValue);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt.Slice(14, 2));
                if (tag != 1)
                    throw new AudioFormatException($"{source}: the audio is not PCM (format tag {tag}{FormatName(tag)}); expected 16-bit PCM WAV (convert with: sox IN.wav -b 16 -e signed-integer OUT.wav).");
                if (bits != 16)
                    throw new AudioFormatException($"{source}: {bits}-bit samples; expected 16-bit PCM (convert with: sox IN.wav -b 16 OUT.wav).");
                if (channels is not (1 or 2))
                    throw new AudioFormatException($"{source}: {channels} channels; expected mono or stereo (mix down with: sox IN.wav -c 1 OUT.wav).");
                if (rate < 1000 || rate > 384000)
                    throw new AudioFormatException($"{source}: sample rate {rate} Hz; expected 1,000–384,000 Hz.");
                haveFormat = true;
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (!haveFormat)
                    throw new AudioFormatException($"{source}: the data chunk comes before the format chunk; expected a 16-bit PCM WAV file with \"fmt \" first.");
                int frameBytes = 2 * channels;
                if (body + size > bytes.Length)
                    throw new AudioFormatException($"{source}: truncated WAV: the data chunk declares {size:N0} bytes but only {bytes.Length - body:N0} follow.");
                if (size == 0)
                    throw new AudioFormatException($"{source}: the file holds no audio (0 samples); expected at least one sample.");
                if (size % frameBytes != 0)
                    throw new AudioFormatException($"{source}: truncated WAV: {size:N0} data bytes is not a whole number of {frameBytes}-byte frames.");
                return new Waveform(Mono(bytes.Slice(body, (int)size), channels), rate);
            }
            long next = body + size + (size & 1); // chunks are padded to an even size
            if (next > bytes.Length) break;         // a chunk that runs past the end: nothing follows it
            position = (int)next;
        }
        throw new AudioFormatException(haveFormat
            ? $"{source}: truncated WAV: no data chunk; expected the audio after the format chunk."
            : $"{source}: truncated WAV: no format chunk; expected a 16-bit PCM WAV file.");
    }

    /// <summary>Reads <paramref name="path"/> as mono resampled to <see cref="TargetRate"/>.</summary>
    /// <exception cref="AudioFormatException">As for <see cref="Read(string)"/>.</exception>
    public static Waveform ReadMono16k(string path) => ToTargetRate(Read(path));

    /// <summary>The waveform at <see cref="TargetRate"/> (band-limited resampling by NWaves; unchanged when already there).</summary>
    public static Waveform ToTargetRate(Waveform wave)
    {
        ArgumentNullException.ThrowIfNull(wave);
        if (wave.SampleRate == TargetRate) return wave;
        var signal = new DiscreteSignal(wave.SampleRate, wave.Samples, allocateNew: false);
        var resampled = new Resampler().Resample(signal, TargetRate);
        return new Waveform(resampled.Samples, TargetRate);
    }

    private static float[] Mono(ReadOnlySpan<byte> data, int channels)
    {
        int frames = data.Length / (2 * channels);
        var samples = new float[frames];
        for (int i = 0; i < frames; i++)
        {
            float sum = 0;
            for (int c = 0; c < channels; c++) sum += BinaryPrimitives.ReadInt16LittleEndian(data.Slice((i * channels + c) * 2, 2));
            samples[i] = sum / (channels * 32768f);
        }
        return samples;
    }

    private static string FormatName(int tag) => tag switch
    {
        3 => " = IEEE float",
        6 => " = A-law",
        7 => " = µ-law",
        2 or 17 => " = ADPCM",
        85 => " = MP3",
        _ => "",
    };
}
