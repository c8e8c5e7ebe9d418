using System.Globalization;
using System.Security;
using System.Text;

namespace Recur.Cli.Output;

/// <summary>
/// A line plot written as SVG by hand: axes with "nice" ticks (1, 2, 2.5, 5 × 10ᵏ), optional
/// logarithmic y axis (decades), a legend, solid or dashed series. NaN values break a line.
/// </summary>
internal sealed class SvgPlot(string title, string xLabel, string yLabel)
{
    private static readonly string[] Palette = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf" };
    private readonly List<Series> _series = new();

    /// <summary>Logarithmic y axis; non-positive values are left out.</summary>
    public bool LogY { get; init; }

    public int Width { get; init; } = 760;
    public int Height { get; init; } = 440;

    private sealed record Series(string Name, double[] X, double[] Y, string Color, bool Dashed);

    /// <summary>Adds a line; <paramref name="color"/> defaults to the next palette colour.</summary>
    public SvgPlot Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, bool dashed = false, string? color = null)
    {
        if (x.Count != y.Count) throw new ArgumentException($"Series '{name}' has {x.Count} x values and {y.Count} y values.");
        _series.Add(new Series(name, x.ToArray(), y.ToArray(), color ?? Palette[_series.Count % Palette.Length], dashed));
        return this;
    }

    /// <summary>Adds a line over x = 1, 2, ….</summary>
    public SvgPlot Add(string name, IReadOnlyList<double> y, bool dashed = false, string? color = null)
        => Add(name, Enumerable.Range(1, y.Count).Select(i => (double)i).ToArray(), y, dashed, color);

    /// <summary>The colour the next added series gets by default.</summary>
    public static string Color(int index) => Palette[index % Palette.Length];

    public void Save(string path) => JsonFiles.WriteAtomic(path, new UTF8Encoding(false).GetBytes(Render()));

    public string Render()
    {
        const double left = 78, right = 20, top = 40, bottom = 56;
        double plotW = Width - left - right, plotH = Height - top - bottom;
        bool Usable(double x, double y) => double.IsFinite(x) && double.IsFinite(y) && (!LogY || y > 0);
        var points = _series.SelectMany(s => s.X.Zip(s.Y)).Where(p => Usable(p.First, p.Second)).ToList();

        var sb = new StringBuilder();
        sb.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        sb.Append(Invariant($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n"));
        sb.Append(Invariant($"<text x=\"{Width / 2.0}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n"));
        if (points.Count == 0)
        {
            sb.Append(Invariant($"<text x=\"{Width / 2.0}\" y=\"{Height / 2.0}\" text-anchor=\"middle\">no data</text>\n</svg>\n"));
            return sb.ToString();
        }

        double xMin = points.Min(p => p.First), xMax = points.Max(p => p.First);
        double yMin = points.Min(p => Transform(p.Second)), yMax = points.Max(p => Transform(p.Second));
        if (xMax == xMin) (xMin, xMax) = (xMin - 1, xMax + 1);
        if (yMax == yMin) (yMin, yMax) = (yMin - (LogY ? 0.5 : Math.Max(1e-9, Math.Abs(yMin) * 0.1)), yMax + (LogY ? 0.5 : Math.Max(1e-9, Math.Abs(yMax) * 0.1)));
        var xTicks = NiceTicks(xMin, xMax, 8);
        var yTicks = LogY ? LogTicks(yMin, yMax) : NiceTicks(yMin, yMax, 6);
        if (!LogY)
        {
            yMin = Math.Min(yMin, yTicks[0]);
            yMax = Math.Max(yMax, yTicks[^1]);
        }
        double Px(double x) => left + (x - xMin) / (xMax - xMin) * plotW;
        double Py(double ty) => top + (yMax - ty) / (yMax - yMin) * plotH;

        // Grid, ticks and labels.
        sb.Append("<g stroke=\"#e5e5e5\" stroke-width=\"1\">\n");
        foreach (var t in yTicks) sb.Append(Invariant($"<line x1=\"{left}\" y1=\"{F(Py(t))}\" x2=\"{left + plotW}\" y2=\"{F(Py(t))}\"/>\n"));
        foreach (var t in xTicks) sb.Append(Invariant($"<line x1=\"{F(Px(t))}\" y1=\"{top}\" x2=\"{F(Px(t))}\" y2=\"{top + plotH}\"/>\n"));
        sb.Append("</g>\n");
        sb.Append(Invariant($"<rect x=\"{left}\" y=\"{top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#333\"/>\n"));
        foreach (var t in yTicks)
            sb.Append(Invariant($"<text x=\"{left - 6}\" y=\"{F(Py(t) + 4)}\" text-anchor=\"end\">{Escape(Label(LogY ? Math.Pow(10, t) : t))}</text>\n"));
        foreach (var t in xTicks)
            sb.Append(Invariant($"<text x=\"{F(Px(t))}\" y=\"{top + plotH + 18}\" text-anchor=\"middle\">{Escape(Label(t))}</text>\n"));
        sb.Append(Invariant($"<text x=\"{left + plotW / 2}\" y=\"{Height - 14}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n"));
        sb.Append(Invariant($"<text transform=\"translate(18 {top + plotH / 2}) rotate(-90)\" text-anchor=\"middle\">{Escape(yLabel)}</text>\n"));

        // Lines, broken where a value is missing.
        sb.Append(Invariant($"<clipPath id=\"plot\"><rect x=\"{left}\" y=\"{top}\" width=\"{plotW}\" height=\"{plotH}\"/></clipPath>\n<g clip-path=\"url(#plot)\" fill=\"none\" stroke-width=\"1.8\">\n"));
        foreach (var s in _series)
        {
            var segment = new List<string>();
            void Flush()
            {
                if (segment.Count == 1) segment.Add(segment[0]);
                if (segment.Count > 1)
                    sb.Append($"<polyline stroke=\"{s.Color}\"{(s.Dashed ? " stroke-dasharray=\"6 4\"" : "")} points=\"{string.Join(' ', segment)}\"/>\n");
                segment.Clear();
            }
            for (int i = 0; i < s.X.Length; i++)
            {
                if (!Usable(s.X[i], s.Y[i])) { Flush(); continue; }
                segment.Add($"{F(Px(s.X[i]))},{F(Py(Transform(s.Y[i])))}");
            }
            Flush();
        }
        sb.Append("</g>\n");

        // Legend, top right inside the plot.
        double lineH = 18, legendW = 40 + 7 * _series.Max(s => s.Name.Length);
        double lx = left + plotW - legendW - 8, ly = top + 8;
        sb.Append(Invariant($"<rect x=\"{F(lx)}\" y=\"{F(ly)}\" width=\"{F(legendW)}\" height=\"{F(lineH * _series.Count + 8)}\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#bbb\"/>\n"));
        for (int i = 0; i < _series.Count; i++)
        {
            var s = _series[i];
            double y = ly + 4 + lineH * i + lineH / 2;
            sb.Append(Invariant($"<line x1=\"{F(lx + 6)}\" y1=\"{F(y)}\" x2=\"{F(lx + 30)}\" y2=\"{F(y)}\" stroke=\"{s.Color}\" stroke-width=\"2\"{(s.Dashed ? " stroke-dasharray=\"6 4\"" : "")}/>\n"));
            sb.Append(Invariant($"<text x=\"{F(lx + 36)}\" y=\"{F(y + 4)}\">{Escape(s.Name)}</text>\n"));
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private double Transform(double y) => LogY ? Math.Log10(y) : y;

    /// <summary>Evenly spaced ticks at a step of 1, 2, 2.5 or 5 × 10ᵏ covering [min, max] with about <paramref name="target"/> ticks.</summary>
    internal static double[] NiceTicks(double min, double max, int target)
    {
        double raw = (max - min) / Math.Max(1, target - 1);
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw * 0.999);
        double start = Math.Floor(min / step + 1e-9) * step, end = Math.Ceiling(max / step - 1e-9) * step;
        var ticks = new List<double>();
        for (double t = start; t <= end + step * 1e-6; t += step) ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        return ticks.Where(t => t >= min - step * 1e-6 && t <= max + step * 1e-6).DefaultIfEmpty(min).ToArray();
    }

    /// <summary>Ticks of a log axis (in log10 units): whole decades, thinned to at most 8.</summary>
    private static double[] LogTicks(double min, double max)
    {
        int lo = (int)Math.Ceiling(min - 1e-9), hi = (int)Math.Floor(max + 1e-9);
        if (hi < lo) return new[] { min, max };
        int every = Math.Max(1, (hi - lo + 7) / 8);
        return Enumerable.Range(0, hi - lo + 1).Where(k => k % every == 0).Select(k => (double)(lo + k)).ToArray();
    }

    private static string Label(double v)
    {
        if (v != 0 && (Math.Abs(v) >= 1e5 || Math.Abs(v) < 1e-3)) return v.ToString("0.##e0", CultureInfo.InvariantCulture);
        return Math.Round(v, 6).ToString("0.######", CultureInfo.InvariantCulture);
    }

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string s) => SecurityElement.Escape(s) ?? "";
}
