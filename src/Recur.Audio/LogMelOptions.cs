namespace Recur.Audio;

/// <summary>Settings of the log-mel filterbank front end (defaults: 25 ms Hamming frames every 10 ms, 40 mel bands from 60 Hz to 4 kHz at 16 kHz).</summary>
public sealed record LogMelOptions
{
    /// <summary>The rate the features are computed at (audio is resampled to it).</summary>
    public int SampleRate { get; init; } = WavReader.TargetRate;

    /// <summary>Analysis frame length in seconds.</summary>
    public double FrameSeconds { get; init; } = 0.025;

    /// <summary>Hop between frames in seconds (0.01: 100 frames per second).</summary>
    public double HopSeconds { get; init; } = 0.010;

    /// <summary>Number of mel bands.</summary>
    public int Bands { get; init; } = 40;

    /// <summary>Lower edge of the lowest band in Hz.</summary>
    public double LowHz { get; init; } = 60;

    /// <summary>
    /// Upper edge of the highest band in Hz. 4 kHz (telephone band) makes 8 kHz recordings and
    /// 16 kHz ones give the same features.
    /// </summary>
    public double HighHz { get; init; } = 4000;

    /// <summary>FFT length (at least the frame length in samples).</summary>
    public int FftSize { get; init; } = 512;

    /// <summary>Band energies are floored here before the logarithm (keeps digital silence finite).</summary>
    public double EnergyFloor { get; init; } = 1e-8;

    /// <summary>Throws unless the settings are consistent.</summary>
    public void Validate()
    {
        if (SampleRate < 1000) throw new ArgumentOutOfRangeException(nameof(SampleRate), SampleRate, "SampleRate must be at least 1000 Hz.");
        if (!(FrameSeconds > 0) || !(HopSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(FrameSeconds), "FrameSeconds and HopSeconds must be > 0.");
        if (Bands < 1) throw new ArgumentOutOfRangeException(nameof(Bands), Bands, "Bands must be at least 1.");
        if (!(LowHz >= 0 && LowHz < HighHz && HighHz <= SampleRate / 2.0))
            throw new ArgumentOutOfRangeException(nameof(HighHz), $"expected 0 ≤ LowHz < HighHz ≤ SampleRate/2; got {LowHz}, {HighHz} at {SampleRate} Hz.");
        if (FftSize < FrameSeconds * SampleRate) throw new ArgumentOutOfRangeException(nameof(FftSize), FftSize, "FftSize must hold a whole frame.");
    }
}
