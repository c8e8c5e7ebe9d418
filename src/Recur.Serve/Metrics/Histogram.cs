using System.Globalization;
using System.Text;

namespace Recur.Serve.Metrics;

/// <summary>A Prometheus histogram: counts of observations at or below each upper bound, their sum and count.</summary>
internal sealed class Histogram(double[] bounds)
{
    private readonly long[] _counts = new long[bounds.Length + 1]; // the last one is +Inf
    private readonly Lock _lock = new();
    private double _sum;
    private long _count;

    public void Observe(double value)
    {
        int i = 0;
        while (i < bounds.Length && value > bounds[i]) i++;
        lock (_lock)
        {
            _counts[i]++;
            _sum += value;
            _count++;
        }
    }

    /// <summary>Appends the _bucket, _sum and _count lines of <paramref name="name"/> with <paramref name="labels"/> (<c>a="b"</c> or empty).</summary>
    public void Write(StringBuilder sb, string name, string labels)
    {
        long[] counts;
        double sum;
        long count;
        lock (_lock)
        {
            counts = (long[])_counts.Clone();
            sum = _sum;
            count = _count;
        }
        string sep = labels.Length > 0 ? labels + "," : "";
        long cumulative = 0;
        for (int i = 0; i <= bounds.Length; i++)
        {
            cumulative += counts[i];
            string le = i < bounds.Length ? bounds[i].ToString("R", CultureInfo.InvariantCulture) : "+Inf";
            sb.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{sep}le=\"{le}\"}} {cumulative}\n");
        }
        string braces = labels.Length > 0 ? "{" + labels + "}" : "";
        sb.Append(CultureInfo.InvariantCulture, $"{name}_sum{braces} {sum.ToString("R", CultureInfo.InvariantCulture)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{name}_count{braces} {count}\n");
    }
}
