namespace Recur.Audio;

/// <summary>Mono audio: samples in [−1, 1] at <paramref name="SampleRate"/> Hz.</summary>
/// <param name="Samples">(N) samples, one channel.</param>
/// <param name="SampleRate">Samples per second.</param>
public sealed record Waveform(float[] Samples, int SampleRate)
{
    /// <summary>Length in seconds.</summary>
    public double Seconds => (double)Samples.Length / SampleRate;
}
