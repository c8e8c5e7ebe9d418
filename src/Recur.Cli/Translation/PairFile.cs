using Recur.Cli.Common;
using Recur.Cli.Data;

namespace Recur.Cli.Translation;

/// <summary>
/// A TSV file of pairs, one per line: source, a tab, target. Blank lines are skipped; lines with
/// the same source are one item with several acceptable targets (in file order).
/// </summary>
internal static class PairFile
{
    /// <exception cref="InputException">A line without a tab, with an empty source or target, or an empty file (file and line named).</exception>
    public static List<PairItem> Read(string path, string option, string tokens)
    {
        string text = InputFile.ReadText(path, option);
        var items = new Dictionary<string, (string[] Source, List<string[]> Targets)>(StringComparer.Ordinal);
        var order = new List<string>();
        int lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            string line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            int tab = line.IndexOf('\t');
            if (tab < 0) throw new InputException($"{path}:{lineNumber}: no tab; expected source<TAB>target.");
            string source = line[..tab].Trim(), target = line[(tab + 1)..].Trim();
            if (source.Length == 0) throw new InputException($"{path}:{lineNumber}: the source is empty; expected source<TAB>target.");
            if (target.Length == 0) throw new InputException($"{path}:{lineNumber}: the target is empty; expected source<TAB>target.");
            if (target.Contains('\t')) throw new InputException($"{path}:{lineNumber}: more than one tab; expected source<TAB>target.");
            var s = Tokens.Split(source, tokens);
            var t = Tokens.Split(target, tokens);
            if (!items.TryGetValue(source, out var item))
            {
                items[source] = item = (s, new List<string[]>());
                order.Add(source);
            }
            if (!item.Targets.Any(x => x.AsSpan().SequenceEqual(t))) item.Targets.Add(t);
        }
        if (order.Count == 0) throw new InputException($"{path}: no pairs; expected lines source<TAB>target.");
        return order.Select(k => new PairItem(items[k].Source, items[k].Targets)).ToList();
    }
}
