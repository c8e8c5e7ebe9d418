using System.IO.Compression;
using System.Text;
using Recur.Cli.Common;
using Recur.Serialization;

namespace Recur.Cli.Speech;

/// <summary>
/// Normalised log-mel features of many utterances in one gzip file (what data/spoken_digits holds):
/// "RSPEECH1", int32 version 1, int32 bands M, float32 hop seconds, int32 count, then per utterance
/// transcript, voice, condition (length-prefixed UTF-8), int32 frames T and T·M bytes. Each byte q
/// stands for the normalised value −4 + 8q/255 (values clamped to ±4σ: a 0.016σ step).
/// </summary>
internal static class FeatureBundle
{
    private static readonly byte[] Magic = "RSPEECH1"u8.ToArray();
    private const int Version = 1;
    private const float Range = 4f;

    public static void Write(string path, IReadOnlyList<SpokenUtterance> utterances, int bands, double hopSeconds)
    {
        AtomicFile.Write(path, stream =>
        {
            using var gzip = new GZipStream(stream, CompressionLevel.SmallestSize, leaveOpen: true);
            using var w = new BinaryWriter(gzip, Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            w.Write(Version);
            w.Write(bands);
            w.Write((float)hopSeconds);
            w.Write(utterances.Count);
            foreach (var u in utterances)
            {
                w.Write(u.Transcript);
                w.Write(u.Voice);
                w.Write(u.Condition);
                w.Write(u.Frames);
                var bytes = new byte[u.Features.Length];
                var x = u.Features.Span;
                for (int i = 0; i < bytes.Length; i++) bytes[i] = Quantize(x[i]);
                w.Write(bytes);
            }
        });
    }

    public static byte Quantize(float v) => (byte)MathF.Round((Math.Clamp(v, -Range, Range) + Range) * 255f / (2 * Range));

    public static float Dequantize(byte q) => -Range + q * (2 * Range) / 255f;

    /// <summary>Reads a bundle; <paramref name="bands"/> is the band count it holds.</summary>
    public static List<SpokenUtterance> Read(string path, string option, out int bands)
    {
        if (!File.Exists(path)) throw new InputException($"{option} {path}: file not found.");
        try
        {
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var r = new BinaryReader(gzip, Encoding.UTF8);
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
                throw new InputException($"{option} {path}: not a Recur speech feature file (no RSPEECH1 header); make one with 'recur listen pack'.");
            int version = r.ReadInt32();
            if (version != Version) throw new InputException($"{option} {path}: feature file version {version}; this recur reads version {Version}.");
            bands = r.ReadInt32();
            float hop = r.ReadSingle();
            int count = r.ReadInt32();
            if (bands is < 1 or > 512 || count < 0 || !(hop > 0))
                throw new InputException($"{option} {path}: corrupt header ({bands} bands, {count} utterances, hop {hop} s).");
            var result = new List<SpokenUtterance>(Math.Min(count, 100_000));
            for (int i = 0; i < count; i++)
            {
                string transcript = r.ReadString(), voice = r.ReadString(), condition = r.ReadString();
                int frames = r.ReadInt32();
                if (frames is < 1 or > 1_000_000) throw new InputException($"{option} {path}: utterance {i} has {frames} frames; the file is corrupt.");
                var bytes = r.ReadBytes(frames * bands);
                if (bytes.Length != frames * bands) throw new EndOfStreamException();
                var features = Tensor.Zeros(frames, bands);
                var x = features.Span;
                for (int j = 0; j < bytes.Length; j++) x[j] = Dequantize(bytes[j]);
                result.Add(new SpokenUtterance(transcript, voice, condition, features));
            }
            return result;
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            throw new InputException($"{option} {path}: truncated or corrupt feature file ({e.Message}).");
        }
    }
}
