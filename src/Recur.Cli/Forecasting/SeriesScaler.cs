namespace Recur.Cli.Forecasting;

/// <summary>How the smoothing base of a series treats its season.</summary>
internal enum SeasonStyle
{
    /// <summary>Simple exponential smoothing of the level: B(o, j) = ℓ_o.</summary>
    None,

    /// <summary>
    /// A seasonal profile around a smoothed level, both smoothed as in Holt-Winters (ETS(A,N,A) on the
    /// modelled scale): with e_t = v_t − ℓ_{t−1} − s_{t−m}, ℓ_t = ℓ_{t−1} + α·e_t and s_t = s_{t−m} + γ·e_t,
    /// the seasonal states starting from the estimated <see cref="SeasonalProfile"/>; B(o, j) = ℓ_o + s_{o+j−m⌈j/m⌉}.
    /// γ = 0 keeps the profile fixed: B(o, j) = ℓ_o + s(o + j).
    /// </summary>
    Profile,

    /// <summary>
    /// Last season's value plus the smoothed change over one season: B(o, j) = v_{o+j−km} + k·ḡ_o,
    /// k = ⌈j/m⌉, ḡ the exponentially smoothed w_t = v_t − v_{t−m}. The seasonal pattern follows the data.
    /// </summary>
    SeasonalChange,
}

/// <summary>
/// Per-series normalisation in the spirit of ES-RNN (Smyl 2020): a causal exponential-smoothing
/// base B(o, j) — the forecast of row o + j that the smoothing alone makes at origin o — and the
/// network's inputs and targets measured against it, per window, on the modelled scale v = log y
/// (when <see cref="Log"/>; the season is then multiplicative on y) or v = y. Legend: o origin,
/// r = o − W + 1 … o the window's rows, j = 1 … h the steps, d_t = v_t − s_{t−m} the deseasonalised series
/// (against the seasonal state known before row t; the fixed profile s(t) when γ = 0).
/// <code>
///   input  c0_r = (d_r − d_o) / σ_v               the window relative to its own level
///          c1_r = (v_r − B(r − 1, 1)) / σ         the base's one-step error at row r (0 before it exists)
///          c2_r = (d_r − λ_r) / σ_λ               the level against its slow average λ (mean reversion)
///   target z_j  = (v_{o+j} − B(o, j)) / σ
///   decode ŷ_{o+j} = v⁻¹(B(o, j) + σ·z_j)
/// </code>
/// σ is the spread of the base's one-step errors over the fit span, σ_v that of d's one-step
/// changes, σ_λ that of d − λ, so every series of a global model speaks in the same units. An
/// output of 0 is the base forecast: the network learns what the smoothing cannot. The smoothing
/// weights α (and γ of a profile base, from the grid it is given) are those with the least one-step
/// squared error over the fit span. A base may be combined with a <see cref="SeasonalAr"/> forecast
/// in equal weights, B = ½(B_style + v̂_AR) (<see cref="CombinedWith"/>); d and the inputs stay those of the style.
/// </summary>
internal sealed class SeriesScaler
{
    public const double SlowAlpha = 0.05;
    public static readonly double[] AlphaGrid = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

    /// <summary>The γ of the profile bases a short season is tried with (0: the fixed profile).</summary>
    public static readonly double[] GammaGrid = [0, 0.1, 0.2, 0.3, 0.5];

    private readonly double[] _v, _d, _state, _season, _slow; // (n) modelled, deseasonalised, smoothed level ℓ or change ḡ, seasonal state s_t (profile base), slow level λ

    private SeriesScaler(bool log, SeasonStyle style, SeasonalProfile profile, int period, double alpha, double gamma, double[] v, SeasonalAr? ar = null)
    {
        Ar = ar;
        Log = log;
        Style = style;
        Profile = style == SeasonStyle.Profile ? profile : SeasonalProfile.None;
        Period = style == SeasonStyle.SeasonalChange ? period : 1;
        Alpha = alpha;
        Gamma = style == SeasonStyle.Profile ? gamma : 0;
        _v = v;
        (_state, _season, _d) = Smooth(v, Style, Profile, Period, Alpha, Gamma);
        _slow = Slow(_d);
    }

    public bool Log { get; }
    public SeasonStyle Style { get; }
    public SeasonalProfile Profile { get; }

    /// <summary>m of <see cref="SeasonStyle.SeasonalChange"/> (1 otherwise).</summary>
    public int Period { get; }

    public double Alpha { get; }

    /// <summary>γ, the smoothing weight of the seasonal states of a <see cref="SeasonStyle.Profile"/> base (0: the profile stays fixed; 0 for the other styles).</summary>
    public double Gamma { get; }

    /// <summary>The seasonal AR forecast combined with the style's in equal weights, or null for the style's base alone.</summary>
    public SeasonalAr? Ar { get; }

    public double Sigma { get; private set; } = 1;
    public double SigmaV { get; private set; } = 1;
    public double SigmaSlow { get; private set; } = 1;

    /// <summary>The first origin the base can forecast from.</summary>
    public int FirstOrigin => Math.Max(Style == SeasonStyle.SeasonalChange ? Period : 0, Ar?.FirstOrigin ?? 0);

    /// <summary>The modelled scale of a value: log y or y.</summary>
    public static double Forward(double y, bool log) => log ? Math.Log(y) : y;

    /// <summary>
    /// Builds the base for a style, choosing α (and a profile base's γ among <paramref name="gammas"/>, 0 when
    /// not given) and the spreads on the fit span [0, <paramref name="fitEnd"/>) only.
    /// The smoothing runs over every row (causally: state t reads rows ≤ t), as a fitted model is run over new data.
    /// </summary>
    public static SeriesScaler Fit(double[] y, int fitEnd, bool log, SeasonStyle style, SeasonalProfile profile, int period, IReadOnlyList<double>? gammas = null)
    {
        var v = y.Select(x => Forward(x, log)).ToArray();
        SeriesScaler? best = null;
        double bestError = double.PositiveInfinity;
        IReadOnlyList<double> grid = style == SeasonStyle.Profile && gammas is not null ? gammas : [0.0];
        foreach (double gamma in grid)
            foreach (double alpha in AlphaGrid)
            {
                var candidate = new SeriesScaler(log, style, profile, period, alpha, gamma, v);
                double error = 0;
                for (int t = candidate.FirstOrigin + 1; t < fitEnd; t++) error += Math.Pow(v[t] - candidate.Base(t - 1, 1), 2);
                if (error < bestError)
                {
                    bestError = error;
                    best = candidate;
                }
            }
        var d = best!._d;
        best.Sigma = Spread(Enumerable.Range(best.FirstOrigin + 1, Math.Max(0, fitEnd - best.FirstOrigin - 1)).Select(t => v[t] - best.Base(t - 1, 1)));
        best.SigmaV = Spread(Enumerable.Range(1, fitEnd - 1).Select(t => d[t] - d[t - 1]));
        best.SigmaSlow = Spread(Enumerable.Range(0, fitEnd).Select(t => d[t] - best._slow[t]));
        return best;
    }

    /// <summary>
    /// The same base (log, style, α, γ, spreads: the network's units) around another seasonal profile:
    /// d and the smoothed states are recomputed with the fixed weights. Used once every choice is made, to
    /// forecast the test span with the profile re-estimated on all the rows before it, as a fitted
    /// model is refitted on its whole training span before it forecasts.
    /// </summary>
    public SeriesScaler WithProfile(SeasonalProfile profile)
        => Style != SeasonStyle.Profile ? this : new SeriesScaler(Log, Style, profile, Period, Alpha, Gamma, _v, Ar)
        {
            Sigma = Sigma,
            SigmaV = SigmaV,
            SigmaSlow = SigmaSlow,
        };

    /// <summary>
    /// The same base (log, style, α, γ, profile) in equal weights with the seasonal AR forecast
    /// <paramref name="ar"/> (forecast combination, the most robust finding of the M competitions):
    /// B(o, j) = ½(B_style(o, j) + v̂_AR(o + j)). d and the inputs' spreads are the style's; σ is the
    /// spread of the combined base's one-step errors over the fit span [0, <paramref name="fitEnd"/>).
    /// </summary>
    public SeriesScaler CombinedWith(SeasonalAr ar, int fitEnd)
    {
        var combined = new SeriesScaler(Log, Style, Profile, Period, Alpha, Gamma, _v, ar) { SigmaV = SigmaV, SigmaSlow = SigmaSlow };
        int first = combined.FirstOrigin + 1;
        combined.Sigma = Spread(Enumerable.Range(first, Math.Max(0, fitEnd - first)).Select(t => _v[t] - combined.Base(t - 1, 1)));
        return combined;
    }

    /// <summary>
    /// The same combined base with the seasonal AR <paramref name="ar"/> (re-estimated on more rows), every
    /// other setting and the spreads kept, as <see cref="WithProfile"/> does for the profile.
    /// </summary>
    public SeriesScaler WithAr(SeasonalAr ar)
        => Ar is null ? this : new SeriesScaler(Log, Style, Profile, Period, Alpha, Gamma, _v, ar)
        {
            Sigma = Sigma,
            SigmaV = SigmaV,
            SigmaSlow = SigmaSlow,
        };

    /// <summary>
    /// The scaler a fit chose (its α, γ and spreads, saved with the model) run over the rows
    /// <paramref name="y"/>. The smoothing is causal, so over the first rows of the series it was
    /// fitted on it gives the same inputs and decodes as the fitted scaler at every origin there.
    /// </summary>
    public static SeriesScaler Restore(double[] y, bool log, SeasonStyle style, SeasonalProfile profile, int period, double alpha, double gamma,
        double sigma, double sigmaV, double sigmaSlow, SeasonalAr? ar = null)
        => new(log, style, profile, period, alpha, gamma, y.Select(x => Forward(x, log)).ToArray(), ar)
        {
            Sigma = sigma,
            SigmaV = sigmaV,
            SigmaSlow = sigmaSlow,
        };

    /// <summary>B(o, j) on the modelled scale: the style's forecast, or its mean with the seasonal AR's when <see cref="Ar"/> is set.</summary>
    public double Base(int origin, int step)
        => Ar is null ? StyleBase(origin, step) : 0.5 * (StyleBase(origin, step) + Ar.Forecast(_v, origin, step));

    private double StyleBase(int origin, int step)
    {
        if (Style == SeasonStyle.None) return _state[origin];
        if (Style == SeasonStyle.Profile) return _state[origin] + SeasonKnownAt(origin, origin + step);
        int k = (step + Period - 1) / Period;
        return _v[origin + step - k * Period] + k * _state[origin];
    }

    /// <summary>
    /// The seasonal term of row t as known after row <paramref name="origin"/> &lt; t: the state of t's
    /// phase last updated at a row ≤ origin, s_{t−m⌈(t−origin)/m⌉}, or the initial profile s(t) before the first update.
    /// </summary>
    private double SeasonKnownAt(int origin, int t)
    {
        int m = Profile.Period, row = t - m * ((t - origin + m - 1) / m);
        return row >= 0 ? _season[row] : Profile.At(t);
    }

    /// <summary>Input channels per window step.</summary>
    public const int Channels = 3;

    /// <summary>Writes the <see cref="Channels"/> inputs of row <paramref name="row"/> in the window of origin o.</summary>
    public void Inputs(int origin, int row, Span<float> into)
    {
        into[0] = (float)((_d[row] - _d[origin]) / SigmaV);
        into[1] = row - 1 >= FirstOrigin ? (float)((_v[row] - Base(row - 1, 1)) / Sigma) : 0f;
        into[2] = (float)((_d[row] - _slow[row]) / SigmaSlow);
    }

    /// <summary>Target z_j of origin o (reads row o + j: call only for fit and validation origins).</summary>
    public double Target(int origin, int step) => (_v[origin + step] - Base(origin, step)) / Sigma;

    /// <summary>The forecast of row o + j in the units of y from a normalised output z.</summary>
    public double Decode(int origin, int step, double z)
    {
        double v = Base(origin, step) + Sigma * z;
        return Log ? Math.Exp(v) : v;
    }

    /// <summary>
    /// The smoothed states, (n) each: the level ℓ_t (or the change ḡ_t), the seasonal state s_t of a
    /// profile base (s(t) when γ = 0; empty for the other styles) and d_t = v_t − s_{t−m}.
    /// <code>
    ///   None, Profile   ℓ_t = α d_t + (1 − α) ℓ_{t−1},  s_t = s_{t−m} + γ (d_t − ℓ_{t−1}),  ℓ_0 = d_0, s_{t−m} = s(t) for t &lt; m
    ///   SeasonalChange  ḡ_t = α w_t + (1 − α) ḡ_{t−1},  w_t = v_t − v_{t−m}, from ḡ_m = w_m; d = v
    /// </code>
    /// (ℓ_t = ℓ_{t−1} + α e_t with e_t = d_t − ℓ_{t−1}, the one-step error: the error-correction form of ETS.)
    /// </summary>
    private static (double[] State, double[] Season, double[] D) Smooth(double[] v, SeasonStyle style, SeasonalProfile profile, int m, double alpha, double gamma)
    {
        int n = v.Length;
        var state = new double[n];
        if (style == SeasonStyle.SeasonalChange)
        {
            if (m >= n) return (state, [], v);
            state[m] = v[m] - v[0];
            for (int t = m + 1; t < n; t++) state[t] = alpha * (v[t] - v[t - m]) + (1 - alpha) * state[t - 1];
            return (state, [], v);
        }
        int p = profile.Period;
        var season = style == SeasonStyle.Profile ? new double[n] : [];
        var d = new double[n];
        for (int t = 0; t < n; t++)
        {
            double before = t >= p && season.Length > 0 ? season[t - p] : profile.At(t); // s_{t−m}
            d[t] = v[t] - before;
            state[t] = t == 0 ? d[0] : alpha * d[t] + (1 - alpha) * state[t - 1];
            if (season.Length > 0) season[t] = t == 0 ? before : before + gamma * (d[t] - state[t - 1]);
        }
        return (state, season, d);
    }

    private static double[] Slow(double[] d)
    {
        var slow = new double[d.Length];
        slow[0] = d[0];
        for (int t = 1; t < d.Length; t++) slow[t] = SlowAlpha * d[t] + (1 - SlowAlpha) * slow[t - 1];
        return slow;
    }

    private static double Spread(IEnumerable<double> values)
    {
        var x = values.ToArray();
        if (x.Length == 0) return 1;
        double rms = Math.Sqrt(x.Select(e => e * e).Average());
        return rms > 1e-12 ? rms : 1;
    }
}
