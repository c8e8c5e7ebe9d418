namespace Recur.Cli.Forecasting;

/// <summary>
/// Per-series, per-window normalisation in the spirit of ES-RNN (Smyl 2020): the series y is taken
/// to the modelled scale v = log y (when <see cref="Log"/>) or y, the seasonal term is removed,
/// d_t = v_t − s(t), and every window is read relative to its own level, the last deseasonalised
/// value d_o of its origin o, in units of σ:
/// <code>
///   input  x_k = (d_{o−W+1+k} − d_o) / σ        k = 0 … W−1
///   target z_j = (d_{o+j} − d_o) / σ            j = 1 … h
///   decode ŷ_{o+j} = v⁻¹(d_o + σ·z_j + s(o + j))
/// </code>
/// σ is the standard deviation of the one-step changes d_t − d_{t−1} over the fit span, so every
/// series of a global model speaks in the same units. An output of 0 is the seasonally adjusted
/// naive forecast; the network learns the change the smoothing cannot see (drift, mean reversion,
/// the effect of features). With logs, the season is multiplicative on y.
/// </summary>
internal sealed class SeriesScaler
{
    private readonly double[] _d; // (n) deseasonalised modelled series

    private SeriesScaler(bool log, SeasonalProfile season, double sigma, double[] d)
    {
        Log = log;
        Season = season;
        Sigma = sigma;
        _d = d;
    }

    public bool Log { get; }
    public SeasonalProfile Season { get; }
    public double Sigma { get; }

    /// <summary>The modelled scale of a value: log y or y.</summary>
    public static double Forward(double y, bool log) => log ? Math.Log(y) : y;

    /// <summary>
    /// Fits σ on the fit span [0, <paramref name="fitEnd"/>) of <paramref name="y"/>; the season
    /// profile is estimated beforehand on the same span.
    /// </summary>
    public static SeriesScaler Fit(double[] y, int fitEnd, bool log, SeasonalProfile season)
    {
        var d = new double[y.Length];
        for (int t = 0; t < y.Length; t++) d[t] = Forward(y[t], log) - season.At(t);
        double mean = 0, m2 = 0;
        int count = fitEnd - 1;
        for (int t = 1; t < fitEnd; t++) mean += d[t] - d[t - 1];
        mean /= count;
        for (int t = 1; t < fitEnd; t++) m2 += (d[t] - d[t - 1] - mean) * (d[t] - d[t - 1] - mean);
        double sigma = Math.Sqrt(m2 / count);
        if (!(sigma > 1e-12))
        {
            // Changes constant (a straight line): fall back to the spread of the level.
            double lm = d.AsSpan(0, fitEnd).ToArray().Average();
            sigma = Math.Sqrt(d.AsSpan(0, fitEnd).ToArray().Select(x => (x - lm) * (x - lm)).Average());
        }
        if (!(sigma > 1e-12)) sigma = 1;
        return new SeriesScaler(log, season, sigma, d);
    }

    /// <summary>The modelled level at origin o: d_o.</summary>
    public double Level(int origin) => _d[origin];

    /// <summary>Input value of row <paramref name="row"/> in the window of origin o.</summary>
    public float Input(int origin, int row) => (float)((_d[row] - _d[origin]) / Sigma);

    /// <summary>Target z_j of origin o (reads row o + j: call only for fit and validation origins).</summary>
    public double Target(int origin, int step) => (_d[origin + step] - _d[origin]) / Sigma;

    /// <summary>The forecast of row o + j in the units of y from a normalised output z.</summary>
    public double Decode(int origin, int step, double z)
    {
        double v = _d[origin] + Sigma * z + Season.At(origin + step);
        return Log ? Math.Exp(v) : v;
    }
}
