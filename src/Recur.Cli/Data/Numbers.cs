using System.Globalization;

namespace Recur.Cli.Data;

/// <summary>Numbers in data files: invariant culture, and the spellings of a missing value.</summary>
internal static class Numbers
{
    /// <summary>Empty, <c>NA</c>, <c>N/A</c>, <c>NaN</c>, <c>null</c>, <c>?</c> (any case) mark a missing value.</summary>
    public static bool IsMissing(string cell)
    {
        var s = cell.AsSpan().Trim(); // a span: a cell of megabytes is not copied to be trimmed
        return s.Length == 0 || s is "?" || s.Equals("NA", StringComparison.OrdinalIgnoreCase)
               || s.Equals("N/A", StringComparison.OrdinalIgnoreCase) || s.Equals("NaN", StringComparison.OrdinalIgnoreCase)
               || s.Equals("null", StringComparison.OrdinalIgnoreCase);
    }

    public static bool TryParse(string cell, out double value)
        => double.TryParse(cell.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    public static string Format(double value, int digits = 4)
        => double.IsFinite(value) ? Math.Round(value, digits).ToString("0." + new string('#', digits), CultureInfo.InvariantCulture) : "n/a";
}
