using Recur.Cli.Forecasting;
using Recur.Forecasting;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;
using ForecastWindows = Recur.Cli.Forecasting.Windows; // "Windows" alone is also a namespace of the ASP.NET Core framework that Recur.Cli brings through Recur.Serve

namespace Recur.Tests.Forecasting;

/// <summary>The ensemble's calibration: the interval's residuals come from the fit and validation rows only, and its bounds are quantiles of the pooled set.</summary>
public class EnsembleForecasterTests
{
    private const int Rows = 80, TestSize = 16, ValidationSize = 12, Window = 6;

    private static PreparedSeries Prepared(double[] y)
    {
        var series = new Series("", y, y.Select(_ => true).ToArray(), Enumerable.Range(2, y.Length).ToArray(), []);
        var split = TimeSplit.Create(y.Length, TestSize, ValidationSize, Window, 1, "s.csv");
        var scaler = SeriesScaler.Fit(y, split.ValidationStart, log: false, SeasonStyle.None, SeasonalProfile.None, 1);
        return new PreparedSeries(series, scaler, split, 0);
    }

    private static double[] Values(double testFactor = 1)
        => Enumerable.Range(0, Rows).Select(t => (50 + 10 * Math.Sin(t / 3.0) + 3 * Math.Cos(t * 1.7)) * (t >= Rows - TestSize ? testFactor : 1)).ToArray();

    /// <summary>Three untrained members (seeds 1-3): they disagree, which is all the interval needs from them.</summary>
    private static SeedEnsemble Members() => SeedEnsemble.Of([.. Enumerable.Range(1, 3).Select(seed => (Model)new Sequential((ulong)seed, new Lstm(3), new Dense(1)))]);

    private static (EnsembleForecaster Forecaster, List<Origin> Fit, List<Origin> Validation) Calibrated(PreparedSeries p, SeedEnsemble ensemble)
    {
        var forecaster = new EnsembleForecaster([p], ensemble, Window, 1, 0.8);
        var fit = ForecastWindows.Collect([p], s => s.FitOrigins());
        var validation = ForecastWindows.Collect([p], s => s.ValidationOrigins());
        forecaster.Calibrate(validation, fit);
        return (forecaster, fit, validation);
    }

    [Fact]
    public void Residuals_hold_every_validation_residual_then_the_scaled_base_errors_of_the_fit_span()
    {
        var p = Prepared(Values());
        var ensemble = Members();
        var (forecaster, fit, validation) = Calibrated(p, ensemble);
        var median = SeedEnsemble.Median(ensemble.PredictMembers(ForecastWindows.Inputs([p], validation, Window)));
        var targets = validation.Select(o => p.Scaler.Target(o.Time, 1)).ToArray();
        var residuals = targets.Select((z, i) => z - forecaster.Blend * median[i]).ToArray();
        double scale = Math.Sqrt(IntervalResiduals.GainRatio(targets, residuals));
        var expected = residuals.Concat(fit.Select(o => scale * p.Scaler.Target(o.Time, 1))).ToArray();
        Assert.Equal(validation.Count + fit.Count, forecaster.Residuals[0].Length);
        for (int r = 0; r < expected.Length; r++) Assert.Equal(expected[r], forecaster.Residuals[0][r], 12);
    }

    [Fact]
    public void Interval_bounds_are_quantiles_of_every_members_output_plus_every_residual()
    {
        var p = Prepared(Values());
        var ensemble = Members();
        var (forecaster, _, _) = Calibrated(p, ensemble);
        var test = ForecastWindows.Collect([p], s => s.TestOrigins());
        var forecasts = forecaster.Forecast(test, (split, o, j) => split.IsTestTarget(o, j));
        var members = ensemble.PredictMembers(ForecastWindows.Inputs([p], test, Window));
        var pool = forecaster.Residuals[0];
        Assert.Equal(TestSize, forecasts.Count);
        foreach (var f in forecasts)
        {
            int i = test.FindIndex(o => o.Time == f.Origin);
            var pooled = members.SelectMany(m => pool.Select(e => forecaster.Blend * m[i] + e)).ToArray();
            Assert.Equal(p.Scaler.Decode(f.Origin, 1, EnsembleQuantiles.Quantile(pooled, 0.1)), f.Lower, 9);
            Assert.Equal(p.Scaler.Decode(f.Origin, 1, EnsembleQuantiles.Quantile(pooled, 0.9)), f.Upper, 9);
        }
    }

    [Fact]
    public void No_test_value_changes_the_share_or_the_interval_residuals()
    {
        var ensemble = Members();
        var (a, _, _) = Calibrated(Prepared(Values()), ensemble);
        var (b, _, _) = Calibrated(Prepared(Values(testFactor: 5)), ensemble);
        Assert.Equal(a.Blend, b.Blend);
        Assert.Equal(a.Residuals[0], b.Residuals[0]);
        // … while a change one row before the test span (a validation target) does change them.
        var y = Values();
        y[Rows - TestSize - 1] *= 2;
        var (c, _, _) = Calibrated(Prepared(y), ensemble);
        Assert.NotEqual(a.Residuals[0], c.Residuals[0]);
    }
}
