using NWaves.FeatureExtractors;
using NWaves.FeatureExtractors.Options;
using NWaves.Filters.Fda;
using NWaves.Signals;
using NWaves.Windows;

namespace Recur.Audio;

/// <summary>
/// Log-mel filterbank features: frames → Hamming window → power spectrum → triangular mel filters
/// (NWaves) → log(max(e, floor)), then per-utterance normalisation (each band to zero mean and
/// unit variance over the utterance's frames), which removes the recording level and channel.
/// </summary>
/// <remarks>Shapes: audio (N) samples at the options' rate → features (T, M) with T = frames, M = bands.</remarks>
public static class LogMelFeatures
{
    /// <summary>Features of <paramref name="wave"/> (resampled to the options' rate first), normalised per utterance: (T, M).</summary>
    public static Tensor Compute(Waveform wave, LogMelOptions? options = null)
    {
        var o = options ?? new LogMelOptions();
        var features = LogEnergies(wave, o);
        Normalize(features);
        return features;
    }

    /// <summary>log band energies before normalisation: (T, M), T ≥ 1 (short audio is zero-padded to one frame).</summary>
    public static Tensor LogEnergies(Waveform wave, LogMelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(wave);
        var o = options ?? new LogMelOptions();
        o.Validate();
        if (o.SampleRate != WavReader.TargetRate && wave.SampleRate != o.SampleRate)
            throw new ArgumentException($"audio at {wave.SampleRate} Hz for features at {o.SampleRate} Hz; resample it first.", nameof(wave));
        var samples = (wave.SampleRate == o.SampleRate ? wave : WavReader.ToTargetRate(wave)).Samples;
        int frameSize = (int)Math.Round(o.FrameSeconds * o.SampleRate);
        if (samples.Length < frameSize) Array.Resize(ref samples, frameSize);
        var extractor = new FilterbankExtractor(new FilterbankOptions
        {
            SamplingRate = o.SampleRate,
            FrameDuration = o.FrameSeconds,
            HopDuration = o.HopSeconds,
            FftSize = o.FftSize,
            Window = WindowType.Hamming,
            FilterBank = FilterBanks.Triangular(o.FftSize, o.SampleRate, Bands(o)),
            SpectrumType = SpectrumType.Power,
            NonLinearity = NonLinearityType.None,
        });
        var frames = extractor.ComputeFrom(new DiscreteSignal(o.SampleRate, samples, allocateNew: false));
        int T = frames.Count, M = o.Bands;
        var result = Tensor.Zeros(T, M);
        var r = result.Span;
        for (int t = 0; t < T; t++)
            for (int m = 0; m < M; m++) r[t * M + m] = (float)Math.Log(Math.Max(frames[t][m], o.EnergyFloor));
        return result;
    }

    /// <summary>The (left, centre, right) edges in Hz of each mel band.</summary>
    public static (double Left, double Center, double Right)[] Bands(LogMelOptions? options = null)
    {
        var o = options ?? new LogMelOptions();
        return FilterBanks.MelBands(o.Bands, o.SampleRate, o.LowHz, o.HighHz);
    }

    /// <summary>Per-utterance normalisation of (T, M) features in place: each band to mean 0 and variance 1 over the T frames (a constant band stays 0).</summary>
    public static void Normalize(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        Tensor.RequireRank(features, 2, nameof(features), "(frames, bands)");
        int T = features.Size(0), M = features.Size(1);
        var x = features.Span;
        for (int m = 0; m < M; m++)
        {
            double mean = 0, square = 0;
            for (int t = 0; t < T; t++) mean += x[t * M + m];
            mean /= Math.Max(T, 1);
            for (int t = 0; t < T; t++) square += (x[t * M + m] - mean) * (x[t * M + m] - mean);
            double std = Math.Sqrt(square / Math.Max(T, 1));
            double scale = std > 1e-5 ? 1 / std : 0;
            for (int t = 0; t < T; t++) x[t * M + m] = (float)((x[t * M + m] - mean) * scale);
        }
    }
}
