using Recur.Cli.Forecasting;

namespace Recur.Tests.Forecasting;

/// <summary>The per-window normalisation: exact round trips, the base it measures against, the season it finds.</summary>
public class SeriesScalerTests
{
    /// <summary>Multiplicative seasonality on exponential growth with a little deterministic noise: y_t = 100·1.01^t·(1 + 0.2 sin(2πt/12))·(1 + 0.01 sin 7t).</summary>
    private static double[] Airline(int n) => Enumerable.Range(0, n)
        .Select(t => 100 * Math.Pow(1.01, t) * (1 + 0.2 * Math.Sin(2 * Math.PI * t / 12)) * (1 + 0.01 * Math.Sin(7 * t))).ToArray();

    [Theory]
    [InlineData("None", false)]
    [InlineData("None", true)]
    [InlineData("Profile", false)]
    [InlineData("Profile", true)]
    [InlineData("SeasonalChange", false)]
    [InlineData("SeasonalChange", true)]
    public void Targets_decode_back_to_the_values_exactly(string styleName, bool log)
    {
        var style = Enum.Parse<SeasonStyle>(styleName);
        var y = Airline(72);
        var profile = SeasonalProfile.Estimate(y.Take(48).Select(v => SeriesScaler.Forward(v, log)).ToArray(), 12);
        var scaler = SeriesScaler.Fit(y, 48, log, style, profile, 12);
        for (int o = scaler.FirstOrigin; o < 60; o++)
            for (int j = 1; j <= 12; j++)
                Assert.Equal(y[o + j], scaler.Decode(o, j, scaler.Target(o, j)), 9);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Smoothed_profile_targets_decode_back_and_its_inputs_restore_exactly(bool log)
    {
        var y = Shifting(96, 36);
        var v = y.Select(x => SeriesScaler.Forward(x, log)).ToArray();
        var scaler = SeriesScaler.Fit(y, 84, log, SeasonStyle.Profile, SeasonalProfile.Estimate(v.AsSpan(0, 84), 12), 12, [0.2]);
        Assert.Equal(0.2, scaler.Gamma);
        var restored = SeriesScaler.Restore(y, log, SeasonStyle.Profile, scaler.Profile, 12, scaler.Alpha, scaler.Gamma, scaler.Sigma, scaler.SigmaV, scaler.SigmaSlow);
        var (a, b) = (new float[3], new float[3]);
        for (int o = 0; o < 84; o++)
        {
            for (int j = 1; j <= 12; j++)
            {
                Assert.Equal(y[o + j], scaler.Decode(o, j, scaler.Target(o, j)), 9);
                Assert.Equal(scaler.Base(o, j), restored.Base(o, j));
            }
            scaler.Inputs(o, o / 2, a);
            restored.Inputs(o, o / 2, b);
            Assert.Equal(a, b);
        }
    }

    /// <summary>A season whose shape moves by three months at row <paramref name="turn"/>, around a flat level of 50, with seeded uniform noise of ±<paramref name="noise"/>.</summary>
    private static double[] Shifting(int n, int turn, double noise = 0.5)
    {
        var random = new Random(7);
        return Enumerable.Range(0, n).Select(t => 50 + 8 * Math.Sin(2 * Math.PI * (t - (t < turn ? -1 : 2)) / 12) + noise * (2 * random.NextDouble() - 1)).ToArray();
    }

    [Fact]
    public void Smoothed_profile_is_holt_winters_from_the_estimated_profile()
    {
        var y = Shifting(96, 48);
        var profile = SeasonalProfile.Estimate(y.AsSpan(0, 60), 12);
        const double alpha = 0.3, gamma = 0.2;
        var scaler = SeriesScaler.Restore(y, log: false, SeasonStyle.Profile, profile, 12, alpha, gamma, 1, 1, 1);
        // ETS(A,N,A) written out: e_t = y_t − ℓ_{t−1} − s_{t−12}, ℓ_t = ℓ_{t−1} + α e_t, s_t = s_{t−12} + γ e_t,
        // from ℓ_0 = y_0 − s(0) and s_{t−12} = s(t) for t < 12; the one-step forecast of row t + 1 is ℓ_t + s_{t+1−12}.
        var s = new double[96];
        double level = y[0] - profile.At(0);
        s[0] = profile.At(0);
        for (int t = 1; t < 96; t++)
        {
            double seasonBefore = t >= 12 ? s[t - 12] : profile.At(t);
            Assert.Equal(level + seasonBefore, scaler.Base(t - 1, 1), 10);
            double e = y[t] - level - seasonBefore;
            level += alpha * e;
            s[t] = seasonBefore + gamma * e;
        }
        // h steps ahead: the latest state of the target's phase, s_{o+j−12⌈j/12⌉}.
        Assert.Equal(scaler.Base(80, 1) - s[69] + s[77], scaler.Base(80, 9), 10);
        Assert.Equal(scaler.Base(80, 9), scaler.Base(80, 21), 10);
    }

    [Fact]
    public void Smoothed_profile_follows_a_season_that_changes_where_the_fixed_one_does_not()
    {
        var y = Shifting(144, 48);
        var profile = SeasonalProfile.Estimate(y.AsSpan(0, 48), 12); // the shape before the turn
        var smoothed = SeriesScaler.Restore(y, log: false, SeasonStyle.Profile, profile, 12, alpha: 0.1, gamma: 0.5, 1, 1, 1);
        var fixedProfile = SeriesScaler.Restore(y, log: false, SeasonStyle.Profile, profile, 12, alpha: 0.1, gamma: 0, 1, 1, 1);
        double Error(SeriesScaler s) => Math.Sqrt(Enumerable.Range(96, 47).Select(o => Math.Pow(s.Decode(o, 1, 0) - y[o + 1], 2)).Average());
        // Four seasons after the turn the smoothed states hold the new shape (noise ±0.5); the fixed profile
        // keeps the old one, 2·8·sin(π/4) = 11.3 apart at the peaks (RMS 8).
        Assert.True(Error(smoothed) < 1, $"smoothed {Error(smoothed)}");
        Assert.True(Error(fixedProfile) > 5, $"fixed {Error(fixedProfile)}");
    }

    [Fact]
    public void Seasonal_change_base_tracks_multiplicative_seasonality_on_a_trend()
    {
        var y = Airline(96);
        var seasonal = SeriesScaler.Fit(y, 60, log: true, SeasonStyle.SeasonalChange, SeasonalProfile.None, 12);
        var plain = SeriesScaler.Fit(y, 60, log: true, SeasonStyle.None, SeasonalProfile.None, 1);
        double Error(SeriesScaler s) => Enumerable.Range(60, 35).Select(o => Math.Abs(s.Decode(o, 1, 0) - y[o + 1]) / y[o + 1]).Average();
        // Last year's value × the year's growth is within the 1 % noise; the level alone misses the season.
        Assert.True(Error(seasonal) < 0.03, $"seasonal base error {Error(seasonal)}");
        Assert.True(Error(plain) > 3 * Error(seasonal), $"plain {Error(plain)} vs seasonal {Error(seasonal)}");
    }

    [Fact]
    public void Inputs_are_relative_to_the_window_level_and_in_units_of_the_spread()
    {
        var y = Airline(60);
        var a = SeriesScaler.Fit(y, 40, log: true, SeasonStyle.None, SeasonalProfile.None, 1);
        var scaled = SeriesScaler.Fit(y.Select(v => v * 1000).ToArray(), 40, log: true, SeasonStyle.None, SeasonalProfile.None, 1);
        var (x, z) = (new float[3], new float[3]);
        for (int o = 20; o < 50; o++)
        {
            a.Inputs(o, o, x);
            Assert.Equal(0f, x[0]); // the origin's own row is the level
            for (int r = o - 10; r <= o; r++)
            {
                a.Inputs(o, r, x);
                scaled.Inputs(o, r, z);
                for (int c = 0; c < 3; c++) Assert.Equal(x[c], z[c], 4); // a series ×1000 reads the same (logs)
            }
        }
    }

    [Fact]
    public void Profile_recovers_an_additive_season_around_a_line()
    {
        double[] index = [3, -1, -2, 0];
        var v = Enumerable.Range(0, 40).Select(t => 0.5 * t + index[t % 4]).ToArray();
        var profile = SeasonalProfile.Estimate(v, 4);
        Assert.Equal(4, profile.Period);
        for (int p = 0; p < 4; p++) Assert.Equal(index[p], profile.At(p), 9);
        Assert.Same(SeasonalProfile.None, SeasonalProfile.Estimate(v.AsSpan(0, 7), 4)); // fewer than two periods
    }

    [Fact]
    public void Season_detection_finds_the_period_and_none_in_noise()
    {
        var random = new Random(5);
        var seasonal = Enumerable.Range(0, 200).Select(t => 0.1 * t + 5 * Math.Sin(2 * Math.PI * t / 12) + random.NextDouble()).ToArray();
        Assert.Equal(12, SeasonDetector.Detect(seasonal));
        var daily = Enumerable.Range(0, 1500).Select(t => 10 * Math.Cos(2 * Math.PI * t / 365.25) + 3 * (random.NextDouble() - 0.5)).ToArray();
        Assert.Equal(365, SeasonDetector.Detect(daily));
        var noise = Enumerable.Range(0, 300).Select(_ => random.NextDouble()).ToArray();
        Assert.Null(SeasonDetector.Detect(noise));
    }

    [Fact]
    public void With_profile_keeps_the_base_for_the_same_profile_and_moves_it_by_the_profile_change()
    {
        var y = Airline(72);
        var v = y.Select(x => SeriesScaler.Forward(x, true)).ToArray();
        var profile = SeasonalProfile.Estimate(v.AsSpan(0, 48), 12);
        var scaler = SeriesScaler.Fit(y, 48, log: true, SeasonStyle.Profile, profile, 12);
        var same = scaler.WithProfile(profile);
        var shift = SeasonalProfile.FromIndex(profile.Index.Select((x, p) => x + (p == 3 ? 0.1 : p == 4 ? -0.1 : 0)).ToArray());
        var moved = scaler.WithProfile(shift);
        Assert.Equal((scaler.Alpha, scaler.Sigma, scaler.SigmaV), (moved.Alpha, moved.Sigma, moved.SigmaV)); // the network's units stay
        for (int o = 0; o < 71; o++)
        {
            Assert.Equal(scaler.Base(o, 1), same.Base(o, 1), 12);
            Assert.Equal(y[o + 1], moved.Decode(o, 1, moved.Target(o, 1)), 9);
            // ℓ_o = Σ α(1 − α)^(o−t) d_t (+ (1 − α)^o d_0): a change δ_p of the index moves the level by −Σ over rows of phase p.
            double level = 0, weight = 1;
            for (int t = o; t >= 0; t--)
            {
                double delta = shift.At(t) - profile.At(t), w = t == 0 ? weight : scaler.Alpha * weight;
                level -= w * delta;
                weight *= 1 - scaler.Alpha;
            }
            Assert.Equal(scaler.Base(o, 1) + level + shift.At(o + 1) - profile.At(o + 1), moved.Base(o, 1), 12);
        }
        var plain = SeriesScaler.Fit(y, 48, log: true, SeasonStyle.None, SeasonalProfile.None, 1);
        Assert.Same(plain, plain.WithProfile(shift)); // only a profile base has a profile to change
    }

    [Fact]
    public void Refit_profiles_read_every_row_before_the_test_span_and_no_test_row()
    {
        PreparedSeries Prepare(double[] y)
        {
            var split = TimeSplit.Create(y.Length, 24, 24, 13, 1, "s.csv");
            var v = y.Take(split.ValidationStart).Select(x => SeriesScaler.Forward(x, true)).ToArray();
            var scaler = SeriesScaler.Fit(y, split.ValidationStart, log: true, SeasonStyle.Profile, SeasonalProfile.Estimate(v, 12), 12);
            return new PreparedSeries(new Series("", y, y.Select(_ => true).ToArray(), Enumerable.Range(2, y.Length).ToArray(), []), scaler, split, 12);
        }
        var y = Airline(120);
        var refit = ForecastSetup.RefitBases([Prepare(y)])[0];
        var expected = SeasonalProfile.Estimate(y.Take(96).Select(x => Math.Log(x)).ToArray(), 12);
        for (int p = 0; p < 12; p++) Assert.Equal(expected.At(p), refit.Scaler.Profile.At(p), 12);
        Assert.NotEqual(Prepare(y).Scaler.Profile.At(0), refit.Scaler.Profile.At(0)); // the validation rows count
        var changedTest = y.Select((x, t) => t >= 96 ? 3 * x : x).ToArray();
        var refitChanged = ForecastSetup.RefitBases([Prepare(changedTest)])[0];
        for (int p = 0; p < 12; p++) Assert.Equal(refit.Scaler.Profile.At(p), refitChanged.Scaler.Profile.At(p));
        for (int o = 0; o < 96; o++) Assert.Equal(refit.Scaler.Base(o, 1), refitChanged.Scaler.Base(o, 1));
    }
}
