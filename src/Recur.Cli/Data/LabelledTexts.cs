using Recur.Cli.Common;

namespace Recur.Cli.Data;

/// <summary>Texts with a label each, read from a CSV/TSV file.</summary>
internal sealed record LabelledTexts(string Path, IReadOnlyList<string> Texts, IReadOnlyList<string> Labels,
    IReadOnlyList<int> Lines, string TextColumn, string LabelColumn, bool HasHeader)
{
    /// <summary>
    /// Reads <paramref name="path"/>. The label column is <paramref name="labelColumn"/> (name or
    /// 0-based index), by default the last; the text column <paramref name="textColumn"/>, by
    /// default the first other column.
    /// </summary>
    public static LabelledTexts Load(string path, string option, bool? header, string? textColumn, string? labelColumn)
        => From(DelimitedFile.Read(path, option, header), textColumn, labelColumn);

    /// <summary>The texts and labels of an already read file (see <see cref="Load"/>).</summary>
    internal static LabelledTexts From(DelimitedFile file, string? textColumn, string? labelColumn)
    {
        string path = file.Path;
        if (file.ColumnCount < 2)
            throw new InputException($"{path}: one column per row; expected a text column and a label column (separated by a tab or a comma).");
        int label = labelColumn is null ? file.ColumnCount - 1 : file.Column(labelColumn, "--label-column");
        int text = textColumn is null ? (label == 0 ? 1 : 0) : file.Column(textColumn, "--text-column");
        if (text == label) throw new InputException($"{path}: --text-column and --label-column are both column {text} ({file.ColumnName(text)}).");
        var texts = new List<string>();
        var labels = new List<string>();
        var lines = new List<int>();
        foreach (var row in file.Rows)
        {
            string l = row.Cells[label].Trim();
            if (l.Length == 0) throw new InputException($"{path} line {row.Line}: empty label in column {file.ColumnName(label)}.");
            texts.Add(row.Cells[text]);
            labels.Add(l);
            lines.Add(row.Line);
        }
        return new LabelledTexts(path, texts, labels, lines, file.ColumnName(text), file.ColumnName(label), file.Header is not null);
    }

    /// <summary>
    /// The distinct labels, in numeric order when all are numbers, else ordinal. Numeric labels
    /// must be written one way per value (<c>1</c>, <c>1.0</c> and <c>01</c> would otherwise be
    /// three classes), and there may be at most <see cref="Limits.MaxClasses"/>.
    /// </summary>
    public IReadOnlyList<string> Classes()
    {
        var distinct = Labels.Distinct().ToList();
        if (distinct.Count > Limits.MaxClasses)
            throw new InputException($"{Path}: the label column {LabelColumn} has {distinct.Count:N0} distinct labels; recur classify trains at most " +
                                     $"{Limits.MaxClasses:N0} classes. Is the label column the right one (--label-column)?");
        if (!distinct.All(l => Numbers.TryParse(l, out _)))
            return distinct.OrderBy(l => l, StringComparer.Ordinal).ToList();
        var byValue = new Dictionary<double, string>();
        foreach (var label in distinct)
        {
            _ = Numbers.TryParse(label, out double value);
            if (byValue.TryGetValue(value, out var other))
            {
                int a = Labels.ToList().IndexOf(other), b = Labels.ToList().IndexOf(label);
                throw new InputException($"{Path}: labels \"{Limits.Quote(other)}\" (line {Lines[a]}) and \"{Limits.Quote(label)}\" (line {Lines[b]}) are the same number " +
                                         "written two ways; write each class one way.");
            }
            byValue[value] = label;
        }
        return byValue.OrderBy(kv => kv.Key).Select(kv => kv.Value).ToList();
    }

    /// <summary>Rows <paramref name="rows"/> only.</summary>
    public LabelledTexts Subset(IReadOnlyList<int> rows)
        => this with { Texts = rows.Select(r => Texts[r]).ToList(), Labels = rows.Select(r => Labels[r]).ToList(), Lines = rows.Select(r => Lines[r]).ToList() };
}
