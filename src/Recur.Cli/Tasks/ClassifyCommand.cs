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
/// <c>recur classify</c>: text classification with any number of classes. Tokens → Embedding
/// (id 0 = padding, masked) → dropout → recurrent layer → dropout → Dense(classes), trained with
/// cross-entropy; a held-out slice of the training file picks the best epoch; the test file is
/// scored once, at the end. Bundled: SST-2 (GLUE), tested on its dev set.
/// </summary>
internal sealed class ClassifyCommand
{
    public const string Task = "classify";

    public static readonly TaskDefaults Defaults = new()
    {
        Cell = "lstm", Units = 128, Layers = 1, Bidirectional = true, Epochs = 3, Batch = 64, LearningRate = 1e-3f, Clip = 5f, Seed = 1,
    };

    private readonly CliContext _ctx;
    private readonly CommonOptions _common;
    private readonly HeaderOptions _header;
    private readonly Option<string?> _train = new("--train") { Description = "Training texts: TSV or CSV with a text and a label column (default: bundled SST-2 train)", HelpName = "FILE" };
    private readonly Option<string?> _test = new("--test") { Description = "Test texts, same columns (default: bundled SST-2 dev; with --train only: 10% of it)", HelpName = "FILE" };
    private readonly Option<string?> _textColumn = new("--text-column") { Description = "Text column: name or 0-based index (default: the first non-label column)" };
    private readonly Option<string?> _labelColumn = new("--label-column") { Description = "Label column: name or 0-based index (default: the last column)" };
    private readonly Option<double> _valFraction = new("--val-fraction") { Description = "Fraction of the training texts held out to pick the best epoch", DefaultValueFactory = _ => 0.05 };
    private readonly Option<int> _minCount = new("--min-count") { Description = "Keep tokens seen at least this often in training", DefaultValueFactory = _ => 2 };
    private readonly Option<int> _maxVocab = new("--max-vocab") { Description = "Keep at most this many tokens", DefaultValueFactory = _ => 20000 };
    private readonly Option<int?> _maxLength = new("--max-length") { Description = "Keep at most this many tokens of a text, the last ones (default: 1.5 × the 99th percentile of training lengths)" };
    private readonly Option<int> _embedding = new("--embedding") { Description = "Embedding size", DefaultValueFactory = _ => 128 };
    private readonly Option<float> _dropout = new("--dropout") { Description = "Dropout on the embeddings and on the recurrent output", DefaultValueFactory = _ => 0.5f };
    private readonly Option<bool> _quantize = new("--quantize") { Description = "Also score the trained model quantised to int8 (Model.Quantize: dynamic int8 recurrent and dense weights): test_accuracy_int8 in metrics.json" };
    private readonly Option<string> _pool = new("--pool") { Description = "How the text's outputs become one vector: last (the final states) or max (the maximum of every feature over the words)", DefaultValueFactory = _ => "max" };

    private ClassifyCommand(CliContext ctx, Command command)
    {
        _ctx = ctx;
        foreach (var o in new Option[] { _train, _test, _textColumn, _labelColumn, _valFraction, _minCount, _maxVocab, _maxLength, _embedding, _dropout, _pool, _quantize })
            command.Add(o);
        _header = new HeaderOptions(command);
        _common = new CommonOptions(command, Defaults, Task, resumable: true, variants: true);
        command.SetAction(Run);
    }

    public static Command Create(CliContext ctx)
    {
        var command = new Command(Task, "Train a text classifier and evaluate it on held-out texts (default: SST-2 sentiment)");
        _ = new ClassifyCommand(ctx, command);
        return command;
    }

    private int Run(ParseResult r)
    {
        var s = _common.Read(r);
        using var threadLimit = ThreadSetting.Limit(s.Threads);
        var ui = _ctx.Ui(s.Quiet);
        double valFraction = r.GetValue(_valFraction);
        if (!(valFraction > 0 && valFraction <= 0.5)) throw new InputException($"--val-fraction is {valFraction}; expected a value in (0, 0.5].");
        int minCount = r.GetValue(_minCount), maxVocab = r.GetValue(_maxVocab), embedding = r.GetValue(_embedding);
        Vocabulary.RequireOptions(minCount, maxVocab);
        CommonOptions.Positive("--embedding", embedding);
        float dropout = r.GetValue(_dropout);
        if (!(dropout >= 0 && dropout < 1)) throw new InputException($"--dropout is {dropout}; expected a value in [0, 1).");
        if (r.GetValue(_maxLength) is { } ml) TextEncoder.CheckMaxLength(ml, "--max-length");

        // Data: train (minus a validation slice) and test.
        bool? header = r.GetValue(_train) is null ? true : _header.Read(r);
        string trainPath = r.GetValue(_train) ?? BundledData.Path("sentiment_sst2_glue/train.tsv");
        string? testPath = r.GetValue(_test) ?? (r.GetValue(_train) is null ? BundledData.Path("sentiment_sst2_glue/dev.tsv") : null);
        var all = LabelledTexts.Load(trainPath, "--train", header, r.GetValue(_textColumn), r.GetValue(_labelColumn));
        var classes = all.Classes();
        if (classes.Count < 2)
            throw new InputException($"{trainPath}: the label column {all.LabelColumn} has a single class (\"{Limits.Quote(classes[0])}\"); classification needs at least two.");
        var random = new SeededRandom(s.Seed);
        LabelledTexts test;
        if (testPath is not null)
        {
            // The test file is laid out like the training file unless the user says otherwise.
            test = LabelledTexts.Load(testPath, "--test", _header.Read(r) ?? all.HasHeader, r.GetValue(_textColumn), r.GetValue(_labelColumn));
        }
        else
        {
            var (rest, held) = Split(all.Texts.Count, 0.1, random.Fork());
            test = all.Subset(held);
            all = all.Subset(rest);
        }
        for (int i = 0; i < test.Labels.Count; i++)
            if (!classes.Contains(test.Labels[i]))
                throw new InputException($"{test.Path} line {test.Lines[i]}: label \"{Limits.Quote(test.Labels[i])}\" does not occur in the training data (classes: {Limits.Quote(string.Join(", ", classes))}).");
        var (trainRows, valRows) = Split(all.Texts.Count, valFraction, random.Fork());
        if (valRows.Count == 0 || trainRows.Count == 0)
            throw new InputException($"{trainPath}: {all.Texts.Count} texts are too few to hold out a validation slice of {valFraction}.");
        var train = all.Subset(trainRows);
        var val = all.Subset(valRows);

        // Tokens → ids.
        // Tokens are read as they are needed (twice, not kept): a text of millions of words never exists as a list of them.
        var vocabulary = Vocabulary.Build(train.Texts.Select(Tokenizer.Tokens), minCount, maxVocab);
        int maxLength = r.GetValue(_maxLength) ?? DefaultMaxLength(train.Texts.Select(t => (int)Math.Min(Tokenizer.Tokens(t).LongCount(), int.MaxValue)).ToList());
        var encoder = new TextEncoder(vocabulary, maxLength);
        var classIndex = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        var trainSet = new Encoded(train.Texts.Select(encoder.Encode).ToList(), train.Labels.Select(l => classIndex[l]).ToList());
        var valSet = new Encoded(val.Texts.Select(encoder.Encode).ToList(), val.Labels.Select(l => classIndex[l]).ToList());
        var testSet = new Encoded(test.Texts.Select(encoder.Encode).ToList(), test.Labels.Select(l => classIndex[l]).ToList());
        string testFile = test.Path; // the texts themselves are not needed past this point: a long one is not kept through training

        string pool = r.GetValue(_pool)!;
        if (pool is not ("last" or "max")) throw new InputException($"--pool is '{pool}'; expected last or max.");
        var layers = new List<Layer>
        {
            new Embedding(vocabulary.Size, embedding, maskZero: true),
            new Dropout(dropout),
            Network.Recurrent(s, returnSequences: pool == "max", dropout: dropout),
        };
        if (pool == "max") layers.Add(new GlobalMaxPooling1D());
        layers.Add(new Dropout(dropout));
        layers.Add(new Dense(classes.Count));
        var model = new Sequential(s.Seed, layers.ToArray());
        model.Build(-1); // (T) ids, any T: batches have different lengths
        Network.Compile(model, s, Loss.SparseCategoricalCrossEntropy(fromLogits: true), Metric.Accuracy);

        ui.Info($"classify: {s.Describe()} on {train.Path} — {train.Texts.Count:N0} training, {val.Texts.Count:N0} validation, {test.Texts.Count:N0} test texts; " +
                $"{classes.Count} classes; vocabulary {vocabulary.Size:N0} (unknown in test {vocabulary.UnknownRate(test.Texts.Select(Tokenizer.Tokens)):P1}); at most {maxLength} tokens");

        var run = _ctx.OpenRun(s.Out, Task, s.Resume);
        JsonFiles.Write(run.File("task.json"), TaskFile(vocabulary, classes, maxLength, s));
        var history = new HistoryCsv(run.File("history.csv"));
        // Training accuracy per epoch on a fixed sample of the training texts, in inference mode.
        var trainSample = trainSet.Subset(Enumerable.Range(0, trainSet.Ids.Count).Where((_, i) => i % Math.Max(1, trainSet.Ids.Count / 2000) == 0).ToArray()).Batches(256);
        var trainBatches = trainSet.Batches(s.Batch, random.Fork().NextUInt64());
        var training = new CommandTraining(model, _ctx, ui, run, run.File("model.recur"), history, CommonOptions.Fingerprint(r))
        {
            Monitor = "val_loss", MaxRounds = s.Epochs, Patience = 2, DecayPatience = 1, StepsPerRound = trainBatches.Count,
            Extra = _ => new Dictionary<string, double> { ["accuracy"] = model.Evaluate(trainSample)["accuracy"] },
        };
        model.Fit(trainBatches, s.Epochs, valSet.Batches(256),
            callbacks: training.Callbacks, verbose: Verbosity.Silent, cancellationToken: _ctx.Cancellation);
        var result = training.Finish();

        // Final scores with the best weights.
        double testAccuracy = Accuracy(model, testSet);
        double trainAccuracy = Accuracy(model, trainSet);
        int majority = trainSet.Labels.GroupBy(l => l).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        double majorityAccuracy = testSet.Labels.Count(l => l == majority) / (double)testSet.Labels.Count;
        double? testInt8 = r.GetValue(_quantize) ? Accuracy(model.Quantize(), testSet) : null;
        var plots = Plots.LearningCurves(history, run.File, "classify", "accuracy");
        var metrics = new Dictionary<string, object>
        {
            ["test_accuracy"] = testAccuracy,
            ["train_accuracy"] = trainAccuracy,
            ["majority_accuracy"] = majorityAccuracy,
            ["classes"] = classes.Count,
            ["best_epoch"] = result.BestRound,
            ["epochs"] = result.Rounds,
            ["train_seconds"] = Math.Round(result.Seconds, 1),
            ["interrupted"] = result.Interrupted,
        };
        if (testInt8 is { } q) metrics["test_accuracy_int8"] = q;
        JsonFiles.WriteMetrics(run.File(RunDirectory.MetricsFile), metrics);
        run.Complete();

        ui.Summary($"test accuracy {testAccuracy:0.0000} on {testSet.Labels.Count:N0} texts of {testFile} (majority class {majorityAccuracy:0.0000}); train accuracy {trainAccuracy:0.0000}");
        if (testInt8 is { } q8) ui.Summary($"test accuracy quantised to int8 {q8:0.0000} ({100 * (q8 - testAccuracy):+0.00;-0.00;0.00} points)");
        ui.Summary($"best epoch {result.BestRound} of {result.Rounds}, {result.StopReason}, {result.Seconds:0} s; wrote {run.FinalPath}/ (model.recur, task.json, history.csv, metrics.json, {string.Join(", ", plots)})");
        return 0;
    }

    /// <summary>The fraction of texts whose most likely class is their label.</summary>
    private static double Accuracy(Model model, Encoded set) => model.Evaluate(set.Batches(256))["accuracy"];

    /// <summary>1.5 × the 99th percentile of the training lengths, at least 8 and at most the longest text (and <see cref="Limits.MaxSequenceLength"/>).</summary>
    internal static int DefaultMaxLength(IReadOnlyList<int> lengths)
    {
        var sorted = lengths.OrderBy(l => l).ToArray();
        int p99 = sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(0.99 * sorted.Length) - 1)];
        return Math.Max(1, Math.Min(Math.Min(sorted[^1], Limits.MaxSequenceLength), Math.Max(8, (int)Math.Ceiling(Math.Min(1.5 * p99, int.MaxValue)))));
    }

    /// <summary>Random (rest, held-out) row indices, the held-out part <paramref name="fraction"/> of <paramref name="count"/>.</summary>
    internal static (List<int> Kept, List<int> Held) Split(int count, double fraction, SeededRandom random)
    {
        var order = Enumerable.Range(0, count).ToArray();
        random.Shuffle(order.AsSpan());
        int held = (int)Math.Round(count * fraction);
        return (order[held..].Order().ToList(), order[..held].Order().ToList());
    }

    private static JsonObject TaskFile(Vocabulary vocabulary, IReadOnlyList<string> classes, int maxLength, TrainSettings s) => new()
    {
        ["task"] = Task,
        ["format"] = 1,
        ["labels"] = new JsonArray(classes.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
        ["max_length"] = maxLength,
        ["tokenizer"] = "lowercase-words",
        ["vocabulary"] = new JsonArray(vocabulary.Tokens.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
        ["model"] = s.Describe(),
    };

    /// <summary>Id sequences and their class ids.</summary>
    internal sealed record Encoded(IReadOnlyList<int[]> Ids, IReadOnlyList<int> Labels)
    {
        /// <summary>Batches bucketed by length and shuffled by <paramref name="seed"/> each epoch; without a seed, by increasing length.</summary>
        public SequenceBatches Batches(int batch, ulong? seed = null)
            => new(Ids.Select(TokenIds.ToTensor).ToList(), Labels.Select(l => Tensor.FromArray(new float[] { l }, 1)).ToList(), batch,
                shuffle: seed is not null, seed: seed ?? 0, mask: false, maxBatchSteps: Limits.MaxBatchSteps); // the embedding masks the padding (id 0)

        public Encoded Subset(int[] rows) => new(rows.Select(r => Ids[r]).ToList(), rows.Select(r => Labels[r]).ToList());
    }
}
