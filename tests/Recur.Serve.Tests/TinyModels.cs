using System.Globalization;
using System.Text;
using Recur.Cli;

namespace Recur.Serve.Tests;

/// <summary>
/// One tiny model of every servable task, trained once by the real <c>recur</c> commands on small
/// generated data (a few seconds in all), shared by every test of the "served models" collection.
/// </summary>
public sealed class TinyModels : IDisposable
{
    public TinyModels()
    {
        Root = Path.Combine(Path.GetTempPath(), "recur-serve-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Sentiment = File("train.tsv", SentimentTsv(240));
        Series = File("series.csv", SeriesCsv(60));
        Play = File("play.txt", PlayText(120));
        Conllu = File("train.conllu", ConlluText(60));
        Classify = Train("classify", "classify", "--train", Sentiment, "--units", "8", "--embedding", "8", "--epochs", "2");
        Tag = Train("tag", "tag", "--train", Conllu, "--units", "8", "--embedding", "8", "--epochs", "2");
        Forecast = Train("forecast", "forecast", "--csv", Series, "--window", "6", "--units", "8", "--epochs", "5", "--test-size", "10");
        LongSeries = File("long.csv", LongCsv(48));
        ForecastLong = Train("forecast-long", "forecast", "--csv", LongSeries, "--id-column", "shop", "--time-column", "month", "--target", "sales",
            "--horizon", "3", "--window", "5", "--units", "8", "--epochs", "4", "--ensemble", "3", "--test-size", "8", "--season", "12");
        Pairs = File("pairs.tsv", ReversePairs(300));
        Translate = Train("translate", "translate", "--train", Pairs, "--test", Pairs, "--units", "16", "--embedding", "8", "--batch", "16",
            "--epochs", "4", "--lr", "0.01", "--threads", "1");
        CharLm = Train("charlm", "charlm", "train", "--text", Play, "--units", "16", "--layers", "2", "--embedding", "8", "--steps", "20",
            "--eval-every", "10", "--seq", "20", "--batch", "8");
    }

    public string Root { get; }
    public string Sentiment { get; }
    public string Series { get; }
    public string Play { get; }
    public string Conllu { get; }
    public string LongSeries { get; }

    /// <summary>Lines "abc⇥cba" over the letters a–f.</summary>
    public string Pairs { get; }

    /// <summary>Run directories.</summary>
    public string Classify { get; }
    public string Tag { get; }
    public string Forecast { get; }

    /// <summary>Two series in long format (ids "north", "south"), forecast 3 rows at once by a global ensemble of 3.</summary>
    public string ForecastLong { get; }
    public string CharLm { get; }

    /// <summary>A character encoder–decoder trained a little on reversing strings.</summary>
    public string Translate { get; }

    /// <summary>Runs <c>recur</c> in-process; fails the test on a non-zero exit.</summary>
    public static string Recur(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        Assert.True(code == 0, $"recur {string.Join(' ', args)} exited {code}: {error}");
        return output.ToString();
    }

    /// <summary>Runs the training command <paramref name="args"/> into <c>Root/NAME</c>.</summary>
    private string Train(string name, params string[] args)
    {
        string dir = Path.Combine(Root, name);
        Recur([.. args, "--out", dir, "--quiet"]);
        return dir;
    }

    private string File(string name, string content)
    {
        string path = Path.Combine(Root, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    internal static readonly string[] Positive = ["good", "great", "lovely", "fine", "superb"];
    internal static readonly string[] Negative = ["bad", "awful", "dull", "poor", "weak"];
    internal static readonly string[] Filler = ["the", "film", "was", "a", "plot", "story", "and", "very"];

    private static string ReversePairs(int rows)
    {
        var random = new Random(3);
        var sb = new StringBuilder();
        for (int i = 0; i < rows; i++)
        {
            var s = new string(Enumerable.Range(0, 2 + random.Next(4)).Select(_ => "abcdef"[random.Next(6)]).ToArray());
            sb.Append(s).Append('\t').Append(new string(s.Reverse().ToArray())).Append('\n');
        }
        return sb.ToString();
    }

    private static string SentimentTsv(int rows)
    {
        var random = new Random(1);
        var sb = new StringBuilder("text\tlabel\n");
        for (int i = 0; i < rows; i++)
        {
            bool pos = i % 2 == 0;
            var words = Enumerable.Range(0, 2 + random.Next(7)).Select(_ => Filler[random.Next(Filler.Length)]).ToList();
            words.Insert(random.Next(words.Count), (pos ? Positive : Negative)[random.Next(5)]);
            sb.Append(string.Join(' ', words)).Append('\t').Append(pos ? "pos" : "neg").Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>A trend plus a 12-step season, one value column.</summary>
    internal static double Value(int i) => Math.Round(100 + i + 20 * Math.Sin(2 * Math.PI * i / 12), 1);

    private static string SeriesCsv(int rows)
    {
        var sb = new StringBuilder("month,value\n");
        for (int i = 0; i < rows; i++) sb.Append(CultureInfo.InvariantCulture, $"m{i},{Value(i).ToString("0.0", CultureInfo.InvariantCulture)}\n");
        return sb.ToString();
    }

    /// <summary>Row i of a long-format series: two shops at different levels, with the 12-step season.</summary>
    internal static double LongValue(string shop, int i) => Math.Round((shop == "north" ? 50 : 200) + 0.5 * i + (shop == "north" ? 8 : 30) * Math.Sin(2 * Math.PI * i / 12), 2);

    internal static readonly string[] Shops = ["north", "south"];

    /// <summary>shop,month,sales with the shops' rows interleaved (file line 2 + 2i + k is row i of shop k).</summary>
    private static string LongCsv(int rows)
    {
        var sb = new StringBuilder("shop,month,sales\n");
        for (int i = 0; i < rows; i++)
            foreach (var shop in Shops) sb.Append(CultureInfo.InvariantCulture, $"{shop},{i},{LongValue(shop, i).ToString("R", CultureInfo.InvariantCulture)}\n");
        return sb.ToString();
    }

    private static string PlayText(int lines)
    {
        var sb = new StringBuilder();
        string[] speakers = ["ROMEO:", "JULIET:"], says = ["O, speak again.", "What light is this?", "Good night, good night!"];
        for (int i = 0; i < lines; i++) sb.Append(speakers[i % 2]).Append('\n').Append(says[i % 3]).Append("\n\n");
        return sb.ToString();
    }

    private static string ConlluText(int sentences)
    {
        var random = new Random(1);
        string[] dets = ["the", "a", "this"], nouns = ["cat", "dog", "flight", "city", "plane"], verbs = ["runs", "leaves", "sleeps", "lands"], adps = ["to", "from", "in"];
        var sb = new StringBuilder();
        for (int s = 0; s < sentences; s++)
        {
            var words = new List<(string, string)> { (dets[random.Next(3)], "DET"), (nouns[random.Next(5)], "NOUN"), (verbs[random.Next(4)], "VERB") };
            if (random.Next(2) == 0) words.AddRange([(adps[random.Next(3)], "ADP"), (dets[random.Next(3)], "DET"), (nouns[random.Next(5)], "NOUN")]);
            sb.Append(CultureInfo.InvariantCulture, $"# sent_id = {s + 1}\n# text = {string.Join(' ', words.Select(w => w.Item1))}\n");
            for (int i = 0; i < words.Count; i++)
                sb.Append(CultureInfo.InvariantCulture, $"{i + 1}\t{words[i].Item1}\t{words[i].Item1}\t{words[i].Item2}\t_\t_\t0\tdep\t_\t_\n");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition("served models")]
public sealed class ServedModelsCollection : ICollectionFixture<TinyModels>;
