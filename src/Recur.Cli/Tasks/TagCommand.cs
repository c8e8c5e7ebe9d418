using System.CommandLine;
using System.Text.Json.Nodes;
using Recur.Cli.Common;
using Recur.Cli.Data;
using Recur.Cli.Output;
using Recur.Cli.Training;
using Recur.Data;
using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Training;

namespace Recur.Cli.Tasks;

/// <summary>
/// <c>recur tag</c>: part-of-speech tagging, many-to-many. Words → Embedding (id 0 = padding,
/// masked) → bidirectional recurrent layer returning every step → Dense(tags) per step, trained
/// with per-word cross-entropy. Words seen once in training are replaced by the unknown id half
/// of the time (word dropout), so the unknown embedding is learned for unseen test words.
/// </summary>
internal sealed class TagCommand
{
    public const string Task = "tag";

    public static readonly TaskDefaults Defaults = new()
    {
        Cell = "lstm", Units = 64, Layers = 1, Bidirectional = true, Epochs = 15, Batch = 32, LearningRate = 2e-3f, Clip = 5f, Seed = 1,
    };

    private readonly CliContext _ctx;
    private readonly CommonOptions _common;
    private readonly Option<string?> _train = new("--train") { Description = "Training sentences, CoNLL-U (FORM → UPOS) (default: bundled UD English-ATIS train)", HelpName = "FILE" };
    private readonly Option<string?> _test = new("--test") { Description = "Test sentences, CoNLL-U (default: bundled UD English-ATIS test; with --train only: 10% of it)", HelpName = "FILE" };
    private readonly Option<string?> _dev = new("--dev") { Description = "Sentences that pick the best epoch (default: bundled ATIS dev; with --train: 10% of it)", HelpName = "FILE" };
    private readonly Option<int> _embedding = new("--embedding") { Description = "Word embedding size", DefaultValueFactory = _ => 100 };
    private readonly Option<float> _dropout = new("--dropout") { Description = "Dropout on the embeddings and the recurrent outputs", DefaultValueFactory = _ => 0.25f };
    private readonly Option<bool> _quantize = new("--quantize") { Description = "Also score the trained model quantised to int8 (Model.Quantize: dynamic int8 recurrent and dense weights): test_accuracy_int8 in metrics.json" };

    private TagCommand(CliContext ctx, Command command)
    {
        _ctx = ctx;
        foreach (var o in new Option[] { _train, _test, _dev, _embedding, _dropout, _quantize }) command.Add(o);
        _common = new CommonOptions(command, Defaults, Task, resumable: true, variants: true);
        command.SetAction(Run);
    }

    public static Command Create(CliContext ctx)
    {
        var command = new Command(Task, "Train a part-of-speech tagger (BiLSTM) on CoNLL-U files (default: UD English-ATIS)");
        _ = new TagCommand(ctx, command);
        return command;
    }

    /// <summary>The vocabulary key of a word form: lower case, every digit 0.</summary>
    internal static string Key(string form)
    {
        var chars = form.ToLowerInvariant().ToCharArray();
        for (int i = 0; i < chars.Length; i++) if (char.IsDigit(chars[i])) chars[i] = '0';
        return new string(chars);
    }

    private int Run(ParseResult r)
    {
        var s = _common.Read(r);
        using var threadLimit = ThreadSetting.Limit(s.Threads);
        var ui = _ctx.Ui(s.Quiet);
        int embedding = r.GetValue(_embedding);
        CommonOptions.Positive("--embedding", embedding);
        float dropout = r.GetValue(_dropout);
        if (!(dropout >= 0 && dropout < 1)) throw new InputException($"--dropout is {dropout}; expected a value in [0, 1).");

        bool bundled = r.GetValue(_train) is null;
        string trainPath = r.GetValue(_train) ?? BundledData.Path("pos_ud_english_atis/en_atis-ud-train.conllu");
        var train = ConllU.Read(trainPath, "--train");
        var random = new SeededRandom(s.Seed);
        List<TaggedSentence> test, dev;
        string testName, devName;
        string? testPath = r.GetValue(_test) ?? (bundled ? BundledData.Path("pos_ud_english_atis/en_atis-ud-test.conllu") : null);
        if (testPath is not null) (test, testName) = (ConllU.Read(testPath, "--test"), testPath);
        else (train, test, testName) = Hold(train, random, "10% of --train");
        string? devPath = r.GetValue(_dev) ?? (bundled ? BundledData.Path("pos_ud_english_atis/en_atis-ud-dev.conllu") : null);
        if (devPath is not null) (dev, devName) = (ConllU.Read(devPath, "--dev"), devPath);
        else (train, dev, devName) = Hold(train, random, "10% of --train");
        if (train.Count == 0) throw new InputException($"{trainPath}: too few sentences to hold out test and dev sentences.");

        // Words and tags.
        var tagNames = train.SelectMany(x => x.Tags).Distinct().Order(StringComparer.Ordinal).ToList();
        if (tagNames.Count < 2) throw new InputException($"{trainPath}: every word has the tag {tagNames[0]}; tagging needs at least two tags.");
        // A tag that only dev or test has cannot be learned, but its words still count (as errors).
        var unseen = test.Concat(dev).SelectMany(x => x.Tags).Where(t => !tagNames.Contains(t)).Distinct().Order(StringComparer.Ordinal).ToList();
        tagNames.AddRange(unseen);
        var tagIndex = tagNames.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i);
        var trainKeys = train.Select(x => (IReadOnlyList<string>)x.Forms.Select(Key).ToList()).ToList();
        var vocabulary = Vocabulary.Build(trainKeys, 1, int.MaxValue);
        var counts = trainKeys.SelectMany(k => k).GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        int[][] Encode(IEnumerable<TaggedSentence> set) => set.Select(x => vocabulary.Ids(x.Forms.Select(Key).ToList())).ToArray();
        int[][] Tags(IEnumerable<TaggedSentence> set) => set.Select(x => x.Tags.Select(t => tagIndex[t]).ToArray()).ToArray();
        var trainIds = Encode(train);
        var trainTags = Tags(train);
        var devIds = Encode(dev);
        var devTags = Tags(dev);
        var testIds = Encode(test);
        var testTags = Tags(test);
        var singletons = trainIds.Select((ids, i) => ids.Select((id, t) => counts[trainKeys[i][t]] == 1).ToArray()).ToArray();

        var model = new Sequential(s.Seed,
            new Embedding(vocabulary.Size, embedding, maskZero: true),
            new Dropout(dropout),
            Network.Recurrent(s, returnSequences: true, dropout: dropout),
            new Dropout(dropout),
            new Dense(tagNames.Count));
        model.Build(-1);
        Network.Compile(model, s, Loss.SparseCategoricalCrossEntropy(fromLogits: true), Metric.Accuracy);

        int trainWords = trainIds.Sum(x => x.Length), testWords = testIds.Sum(x => x.Length);
        ui.Info($"tag: {s.Describe()} on {trainPath} — {train.Count:N0} training sentences ({trainWords:N0} words), {dev.Count:N0} dev ({devName}), {test.Count:N0} test ({testWords:N0} words); " +
                $"{tagNames.Count} tags{(unseen.Count > 0 ? " (not in training: " + string.Join(", ", unseen) + ")" : "")}; vocabulary {vocabulary.Size:N0} (unknown in test {vocabulary.UnknownRate(test.Select(x => x.Forms.Select(Key).ToList())):P1})");

        var run = _ctx.OpenRun(s.Out, Task, s.Resume);
        JsonFiles.Write(run.File("task.json"), new JsonObject
        {
            ["task"] = Task, ["format"] = 1, ["tokenizer"] = "lowercase-words, digits as 0",
            ["labels"] = new JsonArray(tagNames.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
            ["max_length"] = int.MaxValue,
            ["vocabulary"] = new JsonArray(vocabulary.Tokens.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
            ["model"] = s.Describe(),
        });
        var history = new HistoryCsv(run.File("history.csv"));
        ulong batchSeed = random.Fork().NextUInt64(), dropSeed = random.Fork().NextUInt64();
        var sample = Enumerable.Range(0, trainIds.Length).Where((_, i) => i % Math.Max(1, trainIds.Length / 500) == 0).ToArray();
        var sampleBatches = Batches(sample.Select(i => trainIds[i]).ToArray(), sample.Select(i => trainTags[i]).ToArray(), 256);
        // Each epoch its own word dropout (seeded by the epoch) and its own bucketed order.
        var trainBatches = BatchSource.FromGenerator(
            epoch => Batches(WordDropout(trainIds, singletons, new SeededRandom(dropSeed + (ulong)epoch)), trainTags, s.Batch, batchSeed).GetBatches(epoch),
            Batches(trainIds, trainTags, s.Batch, batchSeed).Count); // word dropout changes ids, not lengths
        var training = new CommandTraining(model, _ctx, ui, run, run.File("model.recur"), history, CommonOptions.Fingerprint(r))
        {
            Monitor = "val_accuracy", Maximize = true, MaxRounds = s.Epochs, Patience = 4, DecayPatience = 2, StepsPerRound = trainBatches.Count,
            Extra = _ => new Dictionary<string, double> { ["accuracy"] = model.Evaluate(sampleBatches)["accuracy"] },
        };
        model.Fit(trainBatches, s.Epochs, Batches(devIds, devTags, 256), callbacks: training.Callbacks, verbose: Verbosity.Silent, cancellationToken: _ctx.Cancellation);
        var result = training.Finish();

        double testAccuracy = Accuracy(model, testIds, testTags);
        double baseline = MostFrequentTagAccuracy(train, test, tagNames);
        double? testInt8 = r.GetValue(_quantize) ? Accuracy(model.Quantize(), testIds, testTags) : null;
        var plots = Plots.LearningCurves(history, run.File, "tag", "accuracy");
        var metrics = new Dictionary<string, object>
        {
            ["test_accuracy"] = testAccuracy,
            ["most_frequent_tag_accuracy"] = baseline,
            ["train_accuracy"] = Accuracy(model, trainIds, trainTags),
            ["dev_accuracy"] = Accuracy(model, devIds, devTags),
            ["tags"] = tagNames.Count,
            ["best_epoch"] = result.BestRound,
            ["epochs"] = result.Rounds,
            ["train_seconds"] = Math.Round(result.Seconds, 1),
            ["interrupted"] = result.Interrupted,
        };
        if (testInt8 is { } q) metrics["test_accuracy_int8"] = q;
        JsonFiles.WriteMetrics(run.File(RunDirectory.MetricsFile), metrics);
        run.Complete();
        ui.Summary($"test accuracy {testAccuracy:0.0000} over {testWords:N0} words of {testName} (most frequent tag per word {baseline:0.0000})");
        if (testInt8 is { } q8) ui.Summary($"test accuracy quantised to int8 {q8:0.0000} ({100 * (q8 - testAccuracy):+0.00;-0.00;0.00} points)");
        ui.Summary($"best epoch {result.BestRound} of {result.Rounds}, {result.StopReason}, {result.Seconds:0} s; wrote {run.FinalPath}/ (model.recur, task.json, history.csv, metrics.json, {string.Join(", ", plots)})");
        return CliApp.Success;
    }

    private static (List<TaggedSentence> Kept, List<TaggedSentence> Held, string Name) Hold(List<TaggedSentence> sentences, SeededRandom random, string name)
    {
        var (kept, held) = ClassifyCommand.Split(sentences.Count, 0.1, random.Fork());
        if (held.Count == 0) throw new InputException($"too few training sentences ({sentences.Count}) to hold out {name}.");
        return (kept.Select(i => sentences[i]).ToList(), held.Select(i => sentences[i]).ToList(), name);
    }

    /// <summary>Each epoch, half of the words seen once in training become the unknown id.</summary>
    private static int[][] WordDropout(int[][] ids, bool[][] singleton, SeededRandom random)
        => ids.Select((x, i) => x.Select((id, t) => singleton[i][t] && random.NextFloat() < 0.5f ? Vocabulary.Unknown : id).ToArray()).ToArray();

    /// <summary>The fraction of words whose most likely tag is theirs.</summary>
    private static double Accuracy(Model model, int[][] ids, int[][] tags) => model.Evaluate(Batches(ids, tags, 256))["accuracy"];

    /// <summary>Sentences and their tags in batches bucketed by length, shuffled by <paramref name="seed"/> each epoch; without one, by increasing length.</summary>
    private static SequenceBatches Batches(int[][] ids, int[][] tags, int batch, ulong? seed = null)
        => new(ids.Select(TokenIds.ToTensor).ToList(), tags.Select(TokenIds.ToTensor).ToList(), batch,
            shuffle: seed is not null, seed: seed ?? 0, perStepTargets: true, mask: false, maxBatchSteps: Limits.MaxBatchSteps); // the embedding masks the padding (id 0)

    /// <summary>Each test word gets the tag it had most often in training; unseen words the most frequent tag overall.</summary>
    internal static double MostFrequentTagAccuracy(List<TaggedSentence> train, List<TaggedSentence> test, IReadOnlyList<string> tags)
    {
        var byWord = new Dictionary<string, Dictionary<string, int>>();
        var overall = new Dictionary<string, int>();
        foreach (var x in train)
            for (int i = 0; i < x.Forms.Length; i++)
            {
                var k = Key(x.Forms[i]);
                if (!byWord.TryGetValue(k, out var c)) byWord[k] = c = new Dictionary<string, int>();
                c[x.Tags[i]] = c.GetValueOrDefault(x.Tags[i]) + 1;
                overall[x.Tags[i]] = overall.GetValueOrDefault(x.Tags[i]) + 1;
            }
        static string Best(Dictionary<string, int> c) => c.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).First().Key;
        string fallback = Best(overall);
        long correct = 0, total = 0;
        foreach (var x in test)
            for (int i = 0; i < x.Forms.Length; i++)
            {
                total++;
                string guess = byWord.TryGetValue(Key(x.Forms[i]), out var c) ? Best(c) : fallback;
                if (guess == x.Tags[i]) correct++;
            }
        return (double)correct / total;
    }
}
