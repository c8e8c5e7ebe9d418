namespace Recur.Cli.Forecasting;

/// <summary>A series ready for the network: its data, its normalisation and its split.</summary>
/// <remarks><see cref="Season"/> is the seasonal-naive lag (0 for none), kept even when the profile is dropped.</remarks>
internal sealed record PreparedSeries(Series Data, SeriesScaler Scaler, TimeSplit Split, int Season);

/// <summary>One forecast origin of one series (an index into the prepared series).</summary>
internal readonly record struct Origin(int Series, int Time);

/// <summary>
/// The network's tensors for a list of origins. Legend: N origins, W window, F = channels + feature
/// widths, h horizon.
/// </summary>
internal static class Windows
{
    /// <summary>(N, W, F): per step the normalised channels (<see cref="SeriesScaler.Inputs"/>) then the features of that row.</summary>
    public static Tensor Inputs(IReadOnlyList<PreparedSeries> series, IReadOnlyList<Origin> origins, int window)
    {
        int width = Width(series[0].Data);
        var x = Tensor.Zeros(origins.Count, window, width);
        var span = x.Span;
        for (int i = 0; i < origins.Count; i++)
        {
            var (s, o) = (series[origins[i].Series], origins[i].Time);
            for (int k = 0; k < window; k++)
            {
                int row = o - window + 1 + k, at = (i * window + k) * width;
                s.Scaler.Inputs(o, row, span.Slice(at, SeriesScaler.Channels));
                int col = at + SeriesScaler.Channels;
                foreach (var f in s.Data.Features) col += f.Write(row, span[col..]);
            }
        }
        return x;
    }

    /// <summary>(N, h): the normalised targets z_j, j = 1 … h (reads rows o + 1 … o + h: fit and validation origins only).</summary>
    public static Tensor Targets(IReadOnlyList<PreparedSeries> series, IReadOnlyList<Origin> origins, int horizon)
    {
        var y = new float[origins.Count * horizon];
        for (int i = 0; i < origins.Count; i++)
            for (int j = 1; j <= horizon; j++)
                y[i * horizon + j - 1] = (float)series[origins[i].Series].Scaler.Target(origins[i].Time, j);
        return Tensor.FromArray(y, origins.Count, horizon);
    }

    /// <summary>Input values per step: the series itself plus every feature's width.</summary>
    public static int Width(Series s) => SeriesScaler.Channels + s.Features.Sum(f => f.Width);

    /// <summary>Every origin of every series that <paramref name="select"/> gives, series by series in time order.</summary>
    public static List<Origin> Collect(IReadOnlyList<PreparedSeries> series, Func<TimeSplit, IEnumerable<int>> select)
    {
        var list = new List<Origin>();
        for (int s = 0; s < series.Count; s++)
            foreach (int t in select(series[s].Split)) list.Add(new Origin(s, t));
        return list;
    }
}
