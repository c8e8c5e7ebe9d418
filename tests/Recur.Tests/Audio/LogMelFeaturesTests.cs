using Recur.Audio;

namespace Recur.Tests.Audio;

public class LogMelFeaturesTests
{
    private static readonly LogMelOptions Options = new();

    /// <summary>Band centres from the mel formula, independently of NWaves: M + 2 points equally spaced in mel between the edges.</summary>
    private static double[] Centers(LogMelOptions o)
    {
        static double Mel(double f) => 1127 * Math.Log(1 + f / 700);
        static double Hz(double m) => 700 * (Math.Exp(m / 1127) - 1);
        double lo = Mel(o.LowHz), hi = Mel(o.HighHz), step = (hi - lo) / (o.Bands + 1);
        return Enumerable.Range(1, o.Bands).Select(k => Hz(lo + k * step)).ToArray();
    }

    private static int Nearest(double[] centers, double hz)
        => Enumerable.Range(0, centers.Length).OrderBy(k => Math.Abs(centers[k] - hz)).First();

    private static int ArgMax(Tensor f, int t)
    {
        int M = f.Size(1), best = 0;
        for (int m = 1; m < M; m++) if (f.Span[t * M + m] > f.Span[t * M + best]) best = m;
        return best;
    }

    [Fact]
    public void Band_centres_follow_the_mel_scale()
    {
        var bands = LogMelFeatures.Bands(Options);
        var centers = Centers(Options);
        Assert.Equal(Options.Bands, bands.Length);
        for (int k = 0; k < bands.Length; k++)
        {
            Assert.True(Math.Abs(bands[k].Center - centers[k]) < 0.01 * centers[k] + 1, $"band {k}: {bands[k].Center} Hz, mel formula {centers[k]} Hz");
            Assert.True(bands[k].Left < bands[k].Center && bands[k].Center < bands[k].Right);
        }
    }

    [Theory]
    [InlineData(250.0, 16000)]
    [InlineData(1000.0, 16000)]
    [InlineData(2600.0, 16000)]
    [InlineData(1000.0, 8000)]
    public void A_tone_peaks_in_the_band_nearest_its_frequency(double hz, int rate)
    {
        var wave = new Waveform(WavBytes.Tone(hz, 0.5, rate), rate);
        var f = LogMelFeatures.LogEnergies(wave, Options);
        Assert.InRange(f.Size(0), 46, 50); // 0.5 s at 100 frames per second, minus the last partial frames
        int expected = Nearest(Centers(Options), hz);
        for (int t = 2; t < f.Size(0) - 2; t += 5) Assert.InRange(ArgMax(f, t), expected - 1, expected + 1);
        // The peak stands far above bands away from the tone.
        int M = f.Size(1), far = expected > M / 2 ? 0 : M - 1;
        Assert.True(f.Span[20 * M + expected] - f.Span[20 * M + far] > 5, "the tone's band should exceed a distant band by more than e^5");
    }

    [Fact]
    public void A_chirp_moves_through_the_bands_with_its_instantaneous_frequency()
    {
        const double f0 = 200, f1 = 3800, seconds = 1.0;
        var wave = new Waveform(WavBytes.Chirp(f0, f1, seconds, 16000), 16000);
        var f = LogMelFeatures.LogEnergies(wave, Options);
        var centers = Centers(Options);
        int previous = -1;
        for (int t = 3; t < f.Size(0) - 3; t++)
        {
            double mid = t * Options.HopSeconds + Options.FrameSeconds / 2;
            double hz = f0 + (f1 - f0) * mid / seconds;
            int band = ArgMax(f, t);
            Assert.InRange(band, Nearest(centers, hz) - 1, Nearest(centers, hz) + 1);
            Assert.True(band >= previous - 1, $"frame {t}: band {band} after {previous}");
            previous = Math.Max(previous, band);
        }
    }

    [Fact]
    public void Matches_a_plain_dft_reference()
    {
        // Reference: Hamming frames, |DFT|² by the definition, triangles on the FFT bins between the
        // same band edges, log; compared after per-utterance normalisation (which cancels any
        // constant scale between power-spectrum conventions).
        var o = Options;
        var samples = WavBytes.Chirp(300, 3000, 0.3, 16000).Zip(WavBytes.Tone(700, 0.3, 16000, 0.2f), (a, b) => a + b).ToArray();
        var actual = LogMelFeatures.Compute(new Waveform(samples, 16000), o);
        int frame = 400, hop = 160, N = o.FftSize, T = actual.Size(0), M = o.Bands;
        var bands = LogMelFeatures.Bands(o);
        var reference = Tensor.Zeros(T, M);
        for (int t = 0; t < T; t++)
        {
            var power = new double[N / 2 + 1];
            for (int k = 0; k <= N / 2; k++)
            {
                double re = 0, im = 0;
                for (int n = 0; n < frame && t * hop + n < samples.Length; n++)
                {
                    double w = 0.54 - 0.46 * Math.Cos(2 * Math.PI * n / (frame - 1));
                    double x = samples[t * hop + n] * w;
                    re += x * Math.Cos(2 * Math.PI * k * n / N);
                    im -= x * Math.Sin(2 * Math.PI * k * n / N);
                }
                power[k] = re * re + im * im;
            }
            for (int m = 0; m < M; m++)
            {
                double e = 0;
                for (int k = 0; k <= N / 2; k++)
                {
                    double hz = (double)k * o.SampleRate / N;
                    var (l, c, r) = bands[m];
                    double weight = hz <= l || hz >= r ? 0 : hz <= c ? (hz - l) / (c - l) : (r - hz) / (r - c);
                    e += weight * power[k];
                }
                reference.Span[t * M + m] = (float)Math.Log(Math.Max(e, o.EnergyFloor));
            }
        }
        LogMelFeatures.Normalize(reference);
        double worst = 0, sum = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double d = Math.Abs(actual.Span[i] - reference.Span[i]);
            worst = Math.Max(worst, d);
            sum += d;
        }
        Assert.True(sum / actual.Length < 0.05, $"mean |difference| {sum / actual.Length:0.000} (σ units)");
        Assert.True(worst < 0.5, $"largest |difference| {worst:0.000} (σ units)");
    }

    [Fact]
    public void Normalisation_gives_each_band_zero_mean_and_unit_variance()
    {
        var f = LogMelFeatures.Compute(new Waveform(WavBytes.Chirp(100, 3900, 0.6, 16000), 16000));
        int T = f.Size(0), M = f.Size(1);
        for (int m = 0; m < M; m++)
        {
            var column = Enumerable.Range(0, T).Select(t => (double)f.Span[t * M + m]).ToArray();
            Assert.Equal(0, column.Average(), 4);
            Assert.Equal(1, Math.Sqrt(column.Select(v => v * v).Average()), 3);
        }
        // Silence (a constant band) stays finite and zero.
        var silent = LogMelFeatures.Compute(new Waveform(new float[8000], 16000));
        Assert.All(silent.Span.ToArray(), v => Assert.Equal(0f, v));
    }
}
