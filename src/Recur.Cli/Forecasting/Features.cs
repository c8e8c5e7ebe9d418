using System.Text.Json.Nodes;
using Recur.Cli.Data;

namespace Recur.Cli.Forecasting;

/// <summary>An extra input column of one series, scaled with statistics of its fit span only.</summary>
internal abstract class Feature(string name)
{
    public string Name { get; } = name;

    /// <summary>Input values the feature adds per time step.</summary>
    public abstract int Width { get; }

    /// <summary>Learns the scaling from rows [0, <paramref name="fitRows"/>).</summary>
    public virtual void Fit(int fitRows) { }

    /// <summary>Writes the feature of row <paramref name="row"/>; returns the values written.</summary>
    public abstract int Write(int row, Span<float> into);

    public abstract JsonObject Describe();
}

/// <summary>A numeric column, z-scored.</summary>
internal sealed class NumericFeature(string name, double[] values) : Feature(name)
{
    private double _mean, _std = 1;

    public override int Width => 1;

    public override void Fit(int fitRows)
    {
        var span = values.AsSpan(0, fitRows).ToArray();
        _mean = span.Average();
        _std = Math.Sqrt(span.Select(v => (v - _mean) * (v - _mean)).Average());
        if (!(_std > 0)) _std = 1;
    }

    public override int Write(int row, Span<float> into)
    {
        into[0] = (float)((values[row] - _mean) / _std);
        return 1;
    }

    public override JsonObject Describe() => new() { ["name"] = Name, ["kind"] = "numeric", ["mean"] = _mean, ["std"] = _std };
}

/// <summary>A text column, one-hot over the categories of the whole file (the same width for every series).</summary>
internal sealed class CategoricalFeature(string name, string[] values, string[] categories) : Feature(name)
{
    public override int Width => categories.Length;

    /// <summary>The sorted distinct non-missing values of a column.</summary>
    public static string[] Categories(IEnumerable<string> column)
        => column.Where(v => !Numbers.IsMissing(v)).Distinct().Order(StringComparer.Ordinal).ToArray();

    public override int Write(int row, Span<float> into)
    {
        int k = Array.BinarySearch(categories, values[row], StringComparer.Ordinal);
        if (k >= 0) into[k] = 1f; // a missing category is all zeros
        return categories.Length;
    }

    public override JsonObject Describe() => new()
    {
        ["name"] = Name, ["kind"] = "one-hot", ["categories"] = new JsonArray(categories.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
    };
}
