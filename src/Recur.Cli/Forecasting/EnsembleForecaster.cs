using Recur.Forecasting;

namespace Recur.Cli.Forecasting;

/// <summary>
/// Turns the ensemble's normalised outputs into forecasts in the units of y. The point forecast
/// is the base plus a share α of the members' median, ẑ = α·median_i(z_i), decoded by each
/// series' <see cref="SeriesScaler"/>; α ∈ [0, 1] is estimated on the validation slice and shrunk
/// toward 0 by its uncertainty (<see cref="NetworkShare"/>; α = 0 is the smoothing base alone, so
/// the network is kept only as far as it clearly helps there). The prediction interval at level L takes the (1 ∓ L)/2 quantiles of the pooled
/// set {α·z_i + e_r}: every member's output plus every residual e_r of the same step seen before the
/// test span (<see cref="IntervalResiduals"/>: the validation residuals z − ẑ and the base's fit-span
/// errors scaled by the network's validation gain), so it holds both the members' disagreement and
/// the error of every one-step forecast made before the test span.
/// </summary>
internal sealed class EnsembleForecaster
{
    private readonly IReadOnlyList<PreparedSeries> _series;
    private readonly SeedEnsemble _ensemble;
    private readonly int _window, _horizon;
    private double[][] _residuals = []; // (h)(R) interval residuals per step, normalised units (IntervalResiduals)

    public EnsembleForecaster(IReadOnlyList<PreparedSeries> series, SeedEnsemble ensemble, int window, int horizon, double level)
    {
        _series = series;
        _ensemble = ensemble;
        _window = window;
        _horizon = horizon;
        Level = level;
    }

    /// <summary>
    /// The same calibration (blend, residuals) over other scalings of the same series (see
    /// <see cref="ForecastSetup.RefitBases"/>) and the members refitted with the same settings (see <see cref="SeedEnsemble.Refit"/>).
    /// </summary>
    public EnsembleForecaster On(IReadOnlyList<PreparedSeries> series, SeedEnsemble ensemble) => new(series, ensemble, _window, _horizon, Level)
    {
        Blend = Blend,
        _residuals = _residuals,
    };

    /// <summary>
    /// A forecaster as <see cref="Calibrate"/> left it (the blend and residuals saved with the
    /// model), for forecasts from new histories by <see cref="Ahead"/>.
    /// </summary>
    public static EnsembleForecaster Restore(SeedEnsemble ensemble, int window, int horizon, double level, double blend, double[][] residuals)
        => new([], ensemble, window, horizon, level) { Blend = blend, _residuals = residuals };

    /// <summary>The share of the network's output kept (chosen by <see cref="Calibrate"/>).</summary>
    public double Blend { get; private set; } = 1;

    /// <summary>The interval's residuals per step, (h)(R), in normalised units (set by <see cref="Calibrate"/>; see <see cref="IntervalResiduals"/>).</summary>
    public IReadOnlyList<double[]> Residuals => _residuals;

    /// <summary>The nominal coverage of the interval.</summary>
    public double Level { get; }

    /// <summary>
    /// Chooses <see cref="Blend"/> (see <see cref="NetworkShare"/>) on the validation origins and the
    /// interval's residuals from them and from the base's errors at the fit origins (see
    /// <see cref="IntervalResiduals"/>); every target read is a fit or validation row.
    /// </summary>
    /// <returns>The validation RMSE, in the units of y, of the base alone (share 0) and of the whole network output (share 1).</returns>
    public (double Base, double Network) Calibrate(IReadOnlyList<Origin> validation, IReadOnlyList<Origin> fit)
    {
        var median = SeedEnsemble.Median(_ensemble.PredictMembers(Windows.Inputs(_series, validation, _window)));
        var (z, m) = (new List<double>(), new List<double>());
        double baseSum = 0, networkSum = 0;
        for (int i = 0; i < validation.Count; i++)
        {
            var (s, o) = (_series[validation[i].Series], validation[i].Time);
            for (int j = 1; j <= _horizon; j++)
            {
                if (!s.Data.Observed[o + j]) continue;
                double output = median[i * _horizon + j - 1], y = s.Data.Y[o + j];
                z.Add(s.Scaler.Target(o, j));
                m.Add(output);
                baseSum += Math.Pow(s.Scaler.Decode(o, j, 0) - y, 2);
                networkSum += Math.Pow(s.Scaler.Decode(o, j, output) - y, 2);
            }
        }
        Blend = NetworkShare.Shrunk(z, m);
        _residuals = new double[_horizon][];
        for (int j = 1; j <= _horizon; j++)
        {
            var (targets, residuals, fitErrors) = (new List<double>(), new List<double>(), new List<double>());
            for (int i = 0; i < validation.Count; i++)
            {
                var (s, o) = (_series[validation[i].Series], validation[i].Time);
                if (!s.Data.Observed[o + j]) continue;
                targets.Add(s.Scaler.Target(o, j));
                residuals.Add(targets[^1] - Blend * median[i * _horizon + j - 1]);
            }
            foreach (var (series, o) in fit)
                if (_series[series].Data.Observed[o + j]) fitErrors.Add(_series[series].Scaler.Target(o, j));
            _residuals[j - 1] = IntervalResiduals.Pool(targets, residuals, fitErrors);
        }
        int count = Math.Max(1, z.Count);
        return (Math.Sqrt(baseSum / count), Math.Sqrt(networkSum / count));
    }

    /// <summary>
    /// Forecasts from <paramref name="origins"/>, scored on the steps <paramref name="include"/>
    /// accepts (observed targets only). Reads y only at rows ≤ each origin and at the scored targets.
    /// </summary>
    public List<ScoredForecast> Forecast(IReadOnlyList<Origin> origins, Func<TimeSplit, int, int, bool> include)
    {
        var result = new List<ScoredForecast>();
        if (origins.Count == 0) return result;
        var members = _ensemble.PredictMembers(Windows.Inputs(_series, origins, _window));
        var median = SeedEnsemble.Median(members);
        for (int i = 0; i < origins.Count; i++)
        {
            var (s, o) = (_series[origins[i].Series], origins[i].Time);
            for (int j = 1; j <= _horizon; j++)
            {
                if (!include(s.Split, o, j) || !s.Data.Observed[o + j]) continue;
                var (forecast, lower, upper) = Point(s.Scaler, o, j, members, median, i * _horizon + j - 1);
                result.Add(new ScoredForecast(origins[i].Series, o, j, s.Data.Y[o + j], forecast, lower, upper,
                    s.Data.Y[o], Scores.SeasonalNaive(s.Data.Y, o, j, s.Season)));
            }
        }
        return result;
    }

    /// <summary>
    /// The forecasts of the <see cref="Horizon"/> rows after each origin of <paramref name="series"/>
    /// (rows past the series' end: nothing is scored) with their intervals, exactly as
    /// <see cref="Forecast"/> makes them.
    /// </summary>
    /// <returns>Per origin, per step j = 1 … h: the point forecast and the interval, in the units of y.</returns>
    public List<(double Forecast, double Lower, double Upper)[]> Ahead(IReadOnlyList<PreparedSeries> series, IReadOnlyList<Origin> origins)
    {
        var result = new List<(double, double, double)[]>(origins.Count);
        if (origins.Count == 0) return result;
        var members = _ensemble.PredictMembers(Windows.Inputs(series, origins, _window));
        var median = SeedEnsemble.Median(members);
        for (int i = 0; i < origins.Count; i++)
        {
            var (s, o) = (series[origins[i].Series], origins[i].Time);
            var steps = new (double, double, double)[_horizon];
            for (int j = 1; j <= _horizon; j++) steps[j - 1] = Point(s.Scaler, o, j, members, median, i * _horizon + j - 1);
            result.Add(steps);
        }
        return result;
    }

    /// <summary>The steps ahead forecast at once.</summary>
    public int Horizon => _horizon;

    /// <summary>
    /// Output <paramref name="at"/> (origin o, step j) decoded: α·median and the (1 ∓ L)/2
    /// quantiles of the pooled {α·z_i + e_r}.
    /// </summary>
    private (double Forecast, double Lower, double Upper) Point(SeriesScaler scaler, int o, int j, IReadOnlyList<double[]> members, double[] median, int at)
    {
        var residuals = _residuals.Length > 0 ? _residuals[j - 1] : [0.0];
        var pooled = new double[members.Count * residuals.Length];
        for (int k = 0; k < members.Count; k++)
            for (int r = 0; r < residuals.Length; r++) pooled[k * residuals.Length + r] = Blend * members[k][at] + residuals[r];
        return (scaler.Decode(o, j, Blend * median[at]),
            scaler.Decode(o, j, EnsembleQuantiles.Quantile(pooled, (1 - Level) / 2)),
            scaler.Decode(o, j, EnsembleQuantiles.Quantile(pooled, (1 + Level) / 2)));
    }
}
