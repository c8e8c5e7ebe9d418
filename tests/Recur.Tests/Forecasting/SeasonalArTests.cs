using Recur.Cli.Forecasting;

namespace Recur.Tests.Forecasting;

/// <summary>
/// The seasonal AR of the seasonal differences (least squares, forecasts that read no later row),
/// its equal-weight combination with the smoothing base, and the validation slice's choice of it
/// (never a test row).
/// </summary>
public class SeasonalArTests
{
    /// <summary>Two seasons of a sine pattern (the second at −½ of the first), then exactly v_t = v_{t−12} + c + Φ(v_{t−12} − v_{t−24}).</summary>
    private static double[] Exact(int n, double drift, double phi)
    {
        var v = new double[n];
        for (int t = 0; t < n; t++)
            v[t] = t < 24 ? 50 + 8 * Math.Sin(2 * Math.PI * t / 12) * (t < 12 ? 1 : -0.5) + 0.1 * t
                : v[t - 12] + drift + phi * (v[t - 12] - v[t - 24]);
        return v;
    }

    /// <summary><see cref="Exact"/> with c = 0.3, Φ = −0.8 and seeded uniform noise of ±<paramref name="noise"/> on every row: a season that alternates from year to year.</summary>
    private static double[] Alternating(int n, double noise = 0.5)
    {
        var random = new Random(3);
        var v = new double[n];
        for (int t = 0; t < n; t++)
        {
            double e = noise * (2 * random.NextDouble() - 1);
            v[t] = (t < 24 ? 50 + 8 * Math.Sin(2 * Math.PI * t / 12) * (t < 12 ? 1 : -0.5) : v[t - 12] + 0.3 - 0.8 * (v[t - 12] - v[t - 24])) + e;
        }
        return v;
    }

    /// <summary>A fixed season around a flat level with seeded uniform noise of ±0.5: the profile alone is right.</summary>
    private static double[] Fixed(int n)
    {
        var random = new Random(3);
        return Enumerable.Range(0, n).Select(t => 50 + 8 * Math.Sin(2 * Math.PI * t / 12) + 0.5 * (2 * random.NextDouble() - 1)).ToArray();
    }

    [Fact]
    public void Least_squares_recovers_the_drift_and_phi_of_an_exact_process()
    {
        var ar = SeasonalAr.Estimate(Exact(60, 0.4, -0.6), 12)!;
        Assert.Equal(12, ar.Period);
        Assert.Equal(0.4, ar.Drift, 9);
        Assert.Equal(-0.6, ar.Phi, 9);
        Assert.Equal(23, ar.FirstOrigin);
        Assert.Null(SeasonalAr.Estimate(Exact(35, 0.4, -0.6), 12)); // 11 rows after the first two seasons: fewer than a season
        Assert.NotNull(SeasonalAr.Estimate(Exact(36, 0.4, -0.6), 12));
        // An explosive fit is held at |Φ| = 0.99, so forecasts past a season stay bounded.
        Assert.Equal(SeasonalAr.MaxPhi, SeasonalAr.Estimate(Exact(60, 0.4, 1.3), 12)!.Phi);
    }

    [Fact]
    public void Forecasts_continue_an_exact_process_and_read_no_row_after_the_origin()
    {
        var v = Exact(80, 0.4, -0.6);
        var ar = new SeasonalAr(12, 0.4, -0.6);
        for (int o = ar.FirstOrigin; o < 50; o++)
        {
            var history = v.Take(o + 1).ToArray(); // reading a later row would throw
            Assert.Equal((1 - 0.6) * v[o + 1 - 12] + 0.6 * v[o + 1 - 24] + 0.4, ar.Forecast(history, o, 1), 9);
            for (int j = 1; j <= 30; j++) Assert.Equal(v[o + j], ar.Forecast(history, o, j), 8); // beyond a season too
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Combined_base_is_the_mean_of_both_round_trips_and_restores_exactly(bool log)
    {
        var y = Alternating(96);
        var v = y.Select(x => SeriesScaler.Forward(x, log)).ToArray();
        var style = SeriesScaler.Fit(y, 58, log, SeasonStyle.Profile, SeasonalProfile.Estimate(v.AsSpan(0, 58), 12), 12, [0.1]);
        var ar = SeasonalAr.Estimate(v.AsSpan(0, 58), 12)!;
        var combined = style.CombinedWith(ar, 58);
        Assert.Equal((style.Alpha, style.Gamma, style.SigmaV, style.SigmaSlow), (combined.Alpha, combined.Gamma, combined.SigmaV, combined.SigmaSlow));
        Assert.NotEqual(style.Sigma, combined.Sigma); // the network's unit is the combined base's one-step error
        Assert.Equal(23, combined.FirstOrigin);
        var restored = SeriesScaler.Restore(y, log, SeasonStyle.Profile, combined.Profile, 12, combined.Alpha, combined.Gamma,
            combined.Sigma, combined.SigmaV, combined.SigmaSlow, ar);
        var (a, b) = (new float[3], new float[3]);
        for (int o = combined.FirstOrigin; o < 83; o++)
        {
            for (int j = 1; j <= 13; j++)
            {
                Assert.Equal(0.5 * (style.Base(o, j) + ar.Forecast(v, o, j)), combined.Base(o, j), 12);
                Assert.Equal(y[o + j], combined.Decode(o, j, combined.Target(o, j)), 9);
                Assert.Equal(combined.Base(o, j), restored.Base(o, j));
            }
            combined.Inputs(o, o - 5, a);
            restored.Inputs(o, o - 5, b);
            Assert.Equal(a, b);
        }
        Assert.Same(style, style.WithAr(ar)); // only a combined base has an AR to re-estimate
    }

    /// <summary>Prepares <paramref name="y"/> as the command does: season 12 given, the last 24 rows as test, 14 validation rows.</summary>
    private static PreparedSeries Prepare(double[] y)
    {
        var series = new Series("", y, y.Select(_ => true).ToArray(), Enumerable.Range(2, y.Length).ToArray(), []);
        var options = new ForecastOptions(null, 1, 12, 0.2, 24, "no", 0.2);
        return ForecastSetup.Prepare([series], options, "s.csv", "value", out _, out _)[0];
    }

    [Fact]
    public void The_validation_slice_keeps_the_combination_only_where_it_errs_less_there_and_reads_no_test_row()
    {
        var y = Alternating(96);
        var alternating = Prepare(y);
        Assert.Equal((72, 58), (alternating.Split.TestStart, alternating.Split.ValidationStart));
        Assert.Equal(SeasonalAr.Estimate(y.AsSpan(0, 58), 12), alternating.Scaler.Ar); // fitted on the fit span
        Assert.Equal(23, alternating.Split.FirstOrigin); // the fit windows start where the AR forecasts from
        Assert.Null(Prepare(Fixed(96)).Scaler.Ar);
        Assert.Equal(12, Prepare(Fixed(96)).Split.FirstOrigin);
        // The test rows tripled change no choice and no coefficient.
        var changed = Prepare(y.Select((x, t) => t >= 72 ? 3 * x : x).ToArray());
        Assert.Equal(alternating.Scaler.Ar, changed.Scaler.Ar);
        Assert.Equal((alternating.Scaler.Style, alternating.Scaler.Alpha, alternating.Scaler.Gamma, alternating.Scaler.Sigma),
            (changed.Scaler.Style, changed.Scaler.Alpha, changed.Scaler.Gamma, changed.Scaler.Sigma));
        // Before the test span the AR is fitted again on every row before it (the validation rows count), and on no test row.
        var refit = ForecastSetup.RefitBases([alternating])[0].Scaler;
        Assert.Equal(SeasonalAr.Estimate(y.AsSpan(0, 72), 12), refit.Ar);
        Assert.NotEqual(alternating.Scaler.Ar, refit.Ar);
        Assert.Equal(alternating.Scaler.Sigma, refit.Sigma); // the network's units stay
        var refitChanged = ForecastSetup.RefitBases([changed])[0].Scaler;
        Assert.Equal(refit.Ar, refitChanged.Ar);
        for (int o = 23; o < 72; o++) Assert.Equal(refit.Base(o, 1), refitChanged.Base(o, 1));
    }
}
