using Recur.Forecasting;

namespace Recur.Cli.Forecasting;

/// <summary>
/// Turns the ensemble's normalised outputs into forecasts in the units of y. The point forecast
/// is the base plus a share α of the members' median, ẑ = α·median_i(z_i), decoded by each
/// series' <see cref="SeriesScaler"/>; α ∈ {0, ¼, ½, ¾, 1} is chosen on the validation slice
/// (α = 0 is the seasonally adjusted naive forecast, so the network is kept only as far as it
/// helps there). The prediction interval at level L takes the (1 ∓ L)/2 quantiles of the pooled
/// set {α·z_i + e_r}: every member's output plus every validation residual e_r = z − ẑ of the same
/// step, so it holds both the members' disagreement and the error seen on held-out data.
/// </summary>
internal sealed class EnsembleForecaster
{
    public static readonly double[] BlendGrid = [0, 0.25, 0.5, 0.75, 1];

    private readonly IReadOnlyList<PreparedSeries> _series;
    private readonly SeedEnsemble _ensemble;
    private readonly int _window, _horizon;
    private double[][] _residuals = []; // (h)(R) validation residuals per step, normalised units

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
    /// <see cref="ForecastSetup.RefitProfiles"/>) and the members refitted with the same settings (see <see cref="SeedEnsemble.Refit"/>).
    /// </summary>
    public EnsembleForecaster On(IReadOnlyList<PreparedSeries> series, SeedEnsemble ensemble) => new(series, ensemble, _window, _horizon, Level)
    {
        Blend = Blend,
        _residuals = _residuals,
    };

    /// <summary>The share of the network's output kept (chosen by <see cref="Calibrate"/>).</summary>
    public double Blend { get; private set; } = 1;

    /// <summary>The nominal coverage of the interval.</summary>
    public double Level { get; }

    /// <summary>Chooses <see cref="Blend"/> and the residuals from the validation origins (their targets are validation rows only).</summary>
    /// <returns>Validation RMSE per blend in <see cref="BlendGrid"/>.</returns>
    public double[] Calibrate(IReadOnlyList<Origin> validation)
    {
        var median = SeedEnsemble.Median(_ensemble.PredictMembers(Windows.Inputs(_series, validation, _window)));
        var rmse = BlendGrid.Select(a =>
        {
            double sum = 0;
            int count = 0;
            for (int i = 0; i < validation.Count; i++)
            {
                var (s, o) = (_series[validation[i].Series], validation[i].Time);
                for (int j = 1; j <= _horizon; j++)
                {
                    if (!s.Data.Observed[o + j]) continue;
                    double e = s.Scaler.Decode(o, j, a * median[i * _horizon + j - 1]) - s.Data.Y[o + j];
                    sum += e * e;
                    count++;
                }
            }
            return Math.Sqrt(sum / Math.Max(1, count));
        }).ToArray();
        Blend = BlendGrid[Array.IndexOf(rmse, rmse.Min())];
        _residuals = new double[_horizon][];
        for (int j = 1; j <= _horizon; j++)
        {
            var list = new List<double>();
            for (int i = 0; i < validation.Count; i++)
            {
                var (s, o) = (_series[validation[i].Series], validation[i].Time);
                if (s.Data.Observed[o + j]) list.Add(s.Scaler.Target(o, j) - Blend * median[i * _horizon + j - 1]);
            }
            _residuals[j - 1] = list.Count > 0 ? list.ToArray() : [0.0];
        }
        return rmse;
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
        double lowP = (1 - Level) / 2, highP = (1 + Level) / 2;
        for (int i = 0; i < origins.Count; i++)
        {
            var (s, o) = (_series[origins[i].Series], origins[i].Time);
            for (int j = 1; j <= _horizon; j++)
            {
                if (!include(s.Split, o, j) || !s.Data.Observed[o + j]) continue;
                int at = i * _horizon + j - 1;
                var residuals = _residuals.Length > 0 ? _residuals[j - 1] : [0.0];
                var pooled = new double[members.Count * residuals.Length];
                for (int k = 0; k < members.Count; k++)
                    for (int r = 0; r < residuals.Length; r++) pooled[k * residuals.Length + r] = Blend * members[k][at] + residuals[r];
                result.Add(new ScoredForecast(origins[i].Series, o, j, s.Data.Y[o + j],
                    s.Scaler.Decode(o, j, Blend * median[at]),
                    s.Scaler.Decode(o, j, EnsembleQuantiles.Quantile(pooled, lowP)),
                    s.Scaler.Decode(o, j, EnsembleQuantiles.Quantile(pooled, highP)),
                    s.Data.Y[o], Scores.SeasonalNaive(s.Data.Y, o, j, s.Season)));
            }
        }
        return result;
    }
}
