namespace Recur.Cli.Prediction;

/// <summary>
/// How <c>recur forecast</c> scales a series for its network (see <c>ForecastCommand</c>): the
/// model series is v = log y (when <see cref="Log"/>) or y; each input window is taken relative to
/// its last value, (v[t−k] − v[t]) / σ, and the network's output p is the change to the forecast
/// target, so ŷ = exp(v[t] + p·σ) (or v[t] + p·σ without the log).
/// </summary>
internal sealed record SeriesScaling(bool Log, double Sigma)
{
    /// <summary>v of one observation y.</summary>
    public double ToModel(double y) => Log ? Math.Log(y) : y;

    /// <summary>The network input for a window value <paramref name="v"/> whose window ends at <paramref name="vLast"/>.</summary>
    public float Input(double v, double vLast) => (float)((v - vLast) / Sigma);

    /// <summary>The forecast in the series' own units from the network output <paramref name="p"/>.</summary>
    public double Forecast(double vLast, float p)
    {
        double level = vLast + p * Sigma;
        return Log ? Math.Exp(level) : level;
    }
}
