using System.Globalization;
using System.Text;

namespace Recur.Tests.Cli;

/// <summary>Tiny, learnable inputs for end-to-end runs that take seconds.</summary>
internal static class SmallData
{
    private static readonly string[] Positive = { "good", "great", "lovely", "fine", "superb" };
    private static readonly string[] Negative = { "bad", "awful", "dull", "poor", "weak" };
    private static readonly string[] Filler = { "the", "film", "was", "a", "plot", "story", "and", "very" };

    /// <summary>TSV with a header, "text&lt;TAB&gt;label", labels pos/neg decided by the sentiment words.</summary>
    public static string Sentiment(int rows, int seed)
    {
        var random = new Random(seed);
        var sb = new StringBuilder("text\tlabel\n");
        for (int i = 0; i < rows; i++)
        {
            bool pos = i % 2 == 0;
            var words = Enumerable.Range(0, 3 + random.Next(5)).Select(_ => Filler[random.Next(Filler.Length)]).ToList();
            words.Insert(random.Next(words.Count), (pos ? Positive : Negative)[random.Next(5)]);
            sb.Append(string.Join(' ', words)).Append('\t').Append(pos ? "pos" : "neg").Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>CSV "month,kind,value": a trend plus a 12-step season, CRLF and no final newline, with NA cells at the given rows.</summary>
    public static string Seasonal(int rows, params int[] missing)
    {
        var sb = new StringBuilder("\"month\",\"kind\",\"value\"");
        for (int i = 0; i < rows; i++)
        {
            double v = 100 + i + 20 * Math.Sin(2 * Math.PI * i / 12);
            string cell = missing.Contains(i) ? "NA" : v.ToString("0.0", CultureInfo.InvariantCulture);
            sb.Append("\r\n").Append($"\"m{i}\",{(i % 12 < 6 ? "summer" : "winter")},{cell}");
        }
        return sb.ToString();
    }

    /// <summary>CoNLL-U sentences of the patterns DET NOUN VERB (ADP DET NOUN).</summary>
    public static string Conllu(int sentences, int seed)
    {
        var random = new Random(seed);
        string[] dets = { "the", "a", "this" }, nouns = { "cat", "dog", "flight", "city", "plane" }, verbs = { "runs", "leaves", "sleeps", "lands" }, adps = { "to", "from", "in" };
        var sb = new StringBuilder();
        for (int s = 0; s < sentences; s++)
        {
            var words = new List<(string, string)> { (dets[random.Next(3)], "DET"), (nouns[random.Next(5)], "NOUN"), (verbs[random.Next(4)], "VERB") };
            if (random.Next(2) == 0) words.AddRange(new[] { (adps[random.Next(3)], "ADP"), (dets[random.Next(3)], "DET"), (nouns[random.Next(5)], "NOUN") });
            sb.Append($"# sent_id = {s + 1}\n# text = {string.Join(' ', words.Select(w => w.Item1))}\n");
            for (int i = 0; i < words.Count; i++)
                sb.Append($"{i + 1}\t{words[i].Item1}\t{words[i].Item1}\t{words[i].Item2}\t_\t_\t0\tdep\t_\t_\n");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>A small play-like text.</summary>
    public static string Play(int lines)
    {
        var sb = new StringBuilder();
        string[] speakers = { "ROMEO:", "JULIET:" }, says = { "O, speak again.", "What light is this?", "Good night, good night!" };
        for (int i = 0; i < lines; i++) sb.Append(speakers[i % 2]).Append('\n').Append(says[i % 3]).Append("\n\n");
        return sb.ToString();
    }
}
