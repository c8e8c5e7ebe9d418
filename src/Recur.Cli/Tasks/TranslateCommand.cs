using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Recur.Cli.Common;
using Recur.Cli.Data;
using Recur.Cli.Output;
using Recur.Cli.Translation;
using Recur.Data;
using Recur.Losses;
using Recur.Models;
using Recur.Models.Seq2Seq;
using Recur.Optimizers;
using Recur.Serialization;
using Recur.Training;

namespace Recur.Cli.Tasks;

/// <summary>
/// <c>recur translate</c>: sequence to sequence. An encoder–decoder with attention
/// (<see cref="EncoderDecoder"/>) trained with teacher forcing through <c>Model.Fit</c> on TSV
/// pairs, decoded greedily and with beam search. With no arguments: grapheme-to-phoneme
/// conversion on the bundled CMUdict 0.4 (letters → phonemes) on the standard split.
/// </summary>
internal sealed class TranslateCommand
{
    public const string Task = "translate";

    public static readonly TaskDefaults Defaults = new()
    {
        Cell = "lstm", Units = 128, Layers = 2, Bidirectional = true, Epochs = 40, Batch = 128, LearningRate = 3e-3f, Clip = 5f, Seed = 1,
    };

    private readonly CliContext _ctx;
    private readonly CommonOptions _common;
    private readonly Option<string?> _train = new("--train") { Description = "Training pairs, TSV source<TAB>target (default: bundled CMUdict, spelling → phonemes)", HelpName = "FILE" };
    private readonly Option<string?> _test = new("--test") { Description = "Test pairs, TSV (default with --train: 5% of it)", HelpName = "FILE" };
    private readonly Option<string?> _dev = new("--dev") { Description = "Pairs that pick the best epoch, TSV (default with --train: 5% of it)", HelpName = "FILE" };
    private readonly Option<string> _tokens = new("--tokens") { Description = "Tokens of a TSV's texts: char (every character) or word (split at spaces)", DefaultValueFactory = _ => "char", HelpName = "char|word" };
    private readonly Option<int> _beam = new("--beam") { Description = "Beam width of the reported decoding (1: greedy; greedy is reported too)", DefaultValueFactory = _ => 5 };
    private readonly Option<int> _embedding = new("--embedding") { Description = "Token embedding size", DefaultValueFactory = _ => 64 };
    private readonly Option<int?> _decoderUnits = new("--decoder-units") { Description = "Decoder units (default: the encoder's output width)" };
    private readonly Option<string> _attention = new("--attention") { Description = "Attention score: general, dot, additive or none", DefaultValueFactory = _ => "general", HelpName = "general|dot|additive|none" };
    private readonly Option<float> _dropout = new("--dropout") { Description = "Dropout on the embeddings and the attentional state", DefaultValueFactory = _ => 0.3f };
    private readonly Option<double> _ema = new("--ema") { Description = "Decay per batch of an exponential moving average of the weights (0: off); validation, the kept epoch and the saved model use the averages", DefaultValueFactory = _ => 0.999 };
    private readonly Option<float> _smoothing = new("--label-smoothing") { Description = "Label smoothing of the per-step cross-entropy", DefaultValueFactory = _ => 0.1f };
    private readonly Option<double> _minutes = new("--minutes") { Description = "Stop training after this many minutes (of all the ensemble's members)", DefaultValueFactory = _ => 27 };
    private readonly Option<int> _maxLength = new("--max-length") { Description = "Most tokens of a target (longer training targets are refused; decoding stops there)", DefaultValueFactory = _ => 100 };
    private readonly Option<bool> _inputFeeding = new("--input-feeding") { Description = "Feed each decoder step the previous attentional state h̃ (Luong et al. 2015)", DefaultValueFactory = _ => false };
    private readonly Option<string> _schedule = new("--schedule")
    {
        Description = "Learning rate: linear (decayed to 2% over the --minutes budget, or over --epochs if they run out first) or plateau (halved when the dev loss stops improving)",
        DefaultValueFactory = _ => "linear", HelpName = "linear|plateau",
    };

    private readonly Option<string> _monitor = new("--monitor")
    {
        Description = "What picks the kept epoch and stops training early: wer (greedy word error rate on the dev items) or loss (the dev loss)",
        DefaultValueFactory = _ => "wer", HelpName = "wer|loss",
    };
    private readonly Option<int> _ensemble = new("--ensemble")
    {
        Description = "Networks trained with different seeds, side by side (one per processor), and decoded as one: each step takes the mean of their probabilities (of the networks of one direction, see --right-to-left)",
        DefaultValueFactory = _ => 2, HelpName = "K",
    };
    private readonly Option<int> _rightToLeft = new("--right-to-left")
    {
        Description = "How many of the ensemble's networks (the last ones) learn the targets reversed; with both directions, each gives its k best outputs and both score the pooled candidates",
        DefaultValueFactory = _ => 0, HelpName = "R",
    };
    private readonly Option<int> _patience = new("--patience") { Description = "Epochs without a better dev score before training stops", DefaultValueFactory = _ => 10, HelpName = "EPOCHS" };

    private TranslateCommand(CliContext ctx, Command command)
    {
        _ctx = ctx;
        _attention.AcceptOnlyFromAmong("general", "dot", "additive", "none");
        _tokens.AcceptOnlyFromAmong(Tokens.Modes);
        _schedule.AcceptOnlyFromAmong("linear", "plateau");
        _monitor.AcceptOnlyFromAmong("wer", "loss");
        foreach (var o in new Option[] { _train, _test, _dev, _tokens, _beam, _embedding, _decoderUnits, _attention, _dropout, _smoothing, _minutes, _maxLength, _inputFeeding, _schedule, _ema, _monitor, _patience, _ensemble, _rightToLeft })
            command.Add(o);
        _common = new CommonOptions(command, Defaults, Task);
        command.SetAction(Run);
    }

    public static Command Create(CliContext ctx)
    {
        var command = new Command(Task, "Sequence to sequence with attention on TSV pairs (default: grapheme-to-phoneme conversion on CMUdict)");
        _ = new TranslateCommand(ctx, command);
        command.Add(PredictCommand(ctx));
        command.Add(EvaluateCommand(ctx));
        return command;
    }

    /// <summary>The bundled CMUdict's words, each with its part of the split (checked to have the published test words).</summary>
    private static List<(PairItem Item, SplitPart Part)> CmuDictSplit(out string path)
    {
        path = BundledData.Path("g2p_cmudict/cmudict-0.4.out");
        var parts = CmuDict.Read(path).Select((item, i) => (Item: item, Part: CmuDict.PartOf(i))).ToList();
        int test = parts.Count(p => p.Part == SplitPart.Test);
        return test == CmuDict.TestWords ? parts
            : throw new InputException($"{path}: the split has {test:N0} test words; the CMUdict 0.4 split has {CmuDict.TestWords:N0} (a different file?).");
    }

    private static List<PairItem> Part(List<(PairItem Item, SplitPart Part)> split, SplitPart part) => split.Where(p => p.Part == part).Select(p => p.Item).ToList();

    /// <summary>The data of a run: items of the three parts and how texts become tokens.</summary>
    private sealed record Data(List<PairItem> Train, List<PairItem> Dev, List<PairItem> Test, string Name, string SourceTokens, string TargetTokens);

    private Data ReadData(ParseResult r, SeededRandom random)
    {
        string? trainPath = r.GetValue(_train);
        if (trainPath is null)
        {
            if (r.GetValue(_test) is not null || r.GetValue(_dev) is not null) throw new InputException("--test and --dev need --train (the default CMUdict task has its own split).");
            var split = CmuDictSplit(out string path);
            return new Data(Part(split, SplitPart.Train), Part(split, SplitPart.Dev), Part(split, SplitPart.Test), $"CMUdict 0.4 ({path})", "char", "word");
        }
        string tokens = r.GetValue(_tokens)!;
        var train = PairFile.Read(trainPath, "--train", tokens);
        List<PairItem> Hold(string what)
        {
            // 5% of the training items, at least one, chosen by the seed.
            int n = Math.Max(1, train.Count / 20);
            if (train.Count - n < 1) throw new InputException($"{trainPath}: {train.Count} item(s) are too few to hold out {what}; give --{what} FILE.");
            var order = Enumerable.Range(0, train.Count).ToArray();
            random.Shuffle(order.AsSpan());
            var held = order[..n].Order().Select(i => train[i]).ToList();
            var keep = order[n..].ToHashSet();
            train = train.Where((_, i) => keep.Contains(i)).ToList();
            return held;
        }
        var testItems = r.GetValue(_test) is { } tp ? PairFile.Read(tp, "--test", tokens) : Hold("test");
        var devItems = r.GetValue(_dev) is { } dp ? PairFile.Read(dp, "--dev", tokens) : Hold("dev");
        return new Data(train, devItems, testItems, trainPath, tokens, tokens);
    }

    private int Run(ParseResult r)
    {
        var s = _common.Read(r);
        using var threadLimit = ThreadSetting.Limit(s.Threads);
        var ui = _ctx.Ui(s.Quiet);
        if (s.Cell == "rnn") throw new InputException("--cell rnn: the encoder–decoder takes lstm or gru.");
        int beam = r.GetValue(_beam), embedding = r.GetValue(_embedding), maxLength = r.GetValue(_maxLength);
        CommonOptions.Positive("--beam", beam);
        CommonOptions.Positive("--embedding", embedding);
        CommonOptions.Positive("--max-length", maxLength);
        float dropout = r.GetValue(_dropout), smoothing = r.GetValue(_smoothing);
        if (!(dropout >= 0 && dropout < 1)) throw new InputException($"--dropout is {dropout}; expected a value in [0, 1).");
        if (!(smoothing >= 0 && smoothing < 1)) throw new InputException($"--label-smoothing is {smoothing}; expected a value in [0, 1).");
        double ema = r.GetValue(_ema);
        if (!(ema >= 0 && ema < 1)) throw new InputException($"--ema is {ema}; expected a decay in [0, 1) (0: off).");
        double minutes = r.GetValue(_minutes);
        if (!(minutes > 0)) throw new InputException($"--minutes is {minutes}; expected a positive number.");
        int patience = r.GetValue(_patience);
        if (patience < 0) throw new InputException($"--patience is {patience}; expected 0 or more epochs.");
        string monitor = r.GetValue(_monitor) == "wer" ? "val_wer" : "val_loss";
        var random = new SeededRandom(s.Seed);
        var data = ReadData(r, random.Fork());

        // Vocabularies from the training items; unseen test and dev tokens become <unk> (counted).
        var sourceVocabulary = new TokenVocabulary(data.Train.SelectMany(i => i.Source));
        var targetVocabulary = new TokenVocabulary(data.Train.SelectMany(i => i.Targets.SelectMany(t => t)));
        int UnknownSources(IEnumerable<PairItem> items) => items.Sum(i => i.Source.Count(t => !sourceVocabulary.Contains(t)));
        int unknownTest = UnknownSources(data.Test), unknownDev = UnknownSources(data.Dev);
        var tooLong = data.Train.SelectMany((item, i) => item.Targets.Select(t => (i, t.Length))).FirstOrDefault(p => p.Length > maxLength);
        if (tooLong.Length > 0)
            throw new InputException($"training item {tooLong.i + 1} ('{Tokens.Join(data.Train[tooLong.i].Source, data.SourceTokens)}') has a target of {tooLong.Length} tokens; --max-length is {maxLength}.");

        // Every pronunciation (target) of a training item is a training pair.
        var pairs = data.Train.SelectMany(i => i.Targets.Select(t => (i.Source, Target: t))).ToList();
        string attentionName = r.GetValue(_attention)!, schedule = r.GetValue(_schedule)!;
        var options = new EncoderDecoderOptions
        {
            SourceVocabulary = sourceVocabulary.Size, TargetVocabulary = targetVocabulary.Size,
            SourceSteps = pairs.Max(p => p.Source.Length), TargetSteps = pairs.Max(p => p.Target.Length) + 1,
            Embedding = embedding, Cell = s.Cell == "gru" ? Seq2SeqCell.Gru : Seq2SeqCell.Lstm,
            EncoderUnits = s.Units, EncoderLayers = s.Layers, Bidirectional = s.Bidirectional,
            DecoderUnits = r.GetValue(_decoderUnits) ?? (s.Bidirectional ? 2 : 1) * s.Units, DecoderLayers = 1,
            Attention = Enum.Parse<Seq2SeqAttention>(attentionName, ignoreCase: true), AttentionUnits = s.Units, Dropout = dropout,
            InputFeeding = r.GetValue(_inputFeeding),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InputException($"the options do not make a model: {e.Message.Split('\n')[0]}");
        }
        if (options.DecoderUnits < 1) throw new InputException($"--decoder-units is {options.DecoderUnits}; expected at least 1.");
        // Dev pairs that fit the training layout give the validation loss.
        var devPairs = data.Dev.Select(i => (i.Source, Target: i.Targets[0])).Where(p => p.Source.Length <= options.SourceSteps && p.Target.Length < options.TargetSteps).ToList();
        if (devPairs.Count == 0) throw new InputException("no dev item fits the lengths of the training items; give a --dev file like the training data.");
        // The training and validation tensors of each direction: a right-to-left network learns the targets reversed.
        (Tensor X, Tensor Y, Tensor DevX, Tensor DevY) Packed(bool reversed)
        {
            int[] Target(string[] t) => reversed ? Translator.Reversed(targetVocabulary.Ids(t)) : targetVocabulary.Ids(t);
            var (x, y) = EncoderDecoder.Pack(options, pairs.Select(p => sourceVocabulary.Ids(p.Source)).ToList(), pairs.Select(p => Target(p.Target)).ToList());
            var (devX, devY) = EncoderDecoder.Pack(options, devPairs.Select(p => sourceVocabulary.Ids(p.Source)).ToList(), devPairs.Select(p => Target(p.Target)).ToList());
            return (x, y, devX, devY);
        }

        // A seed ensemble: member m (0-based) differs from the first in its seed, s.Seed + m (its
        // initial weights and its batch order), and the last --right-to-left members in reading the
        // targets reversed; they train side by side, one per processor, each with the kernels on its
        // own thread, and decode as one (the mean of the probabilities of one direction's members;
        // with both directions, the pooled candidates scored by both).
        int members = r.GetValue(_ensemble), rightToLeft = r.GetValue(_rightToLeft);
        CommonOptions.Positive("--ensemble", members);
        if (rightToLeft < 0 || rightToLeft > members) throw new InputException($"--right-to-left is {rightToLeft}; expected 0 … {members} (of the --ensemble {members} networks).");
        bool RightToLeft(int m) => m >= members - rightToLeft;
        var packed = Enumerable.Range(0, members).Select(RightToLeft).Distinct().ToDictionary(d => d, Packed);
        int sideBySide = Math.Min(members, ThreadSetting.Processors()), rounds = (members + sideBySide - 1) / sideBySide;
        var networks = Enumerable.Range(0, members).Select(_ => new EncoderDecoder(options)).ToArray();
        var models = networks.Select((network, m) =>
        {
            var model = new Sequential(s.Seed + (ulong)m, network);
            model.Compile(new Adam(s.LearningRate), new LabelSmoothedCrossEntropy(smoothing), metrics: null, clipNorm: s.Clip > 0 ? s.Clip : null);
            model.Build(options.SourceSteps + options.TargetSteps);
            return model;
        }).ToArray();
        // --minutes bounds the whole training: members that wait for a processor share it.
        var budget = TimeSpan.FromMinutes(minutes / rounds);

        ui.Info($"translate: {s.Describe()} encoder, {s.Cell.ToUpperInvariant()}({options.DecoderUnits}) decoder, {attentionName} attention{(options.InputFeeding ? " with input feeding" : "")} on {data.Name} — {data.Train.Count:N0} training items ({pairs.Count:N0} pairs), " +
                $"{data.Dev.Count:N0} dev, {data.Test.Count:N0} test; vocabularies {sourceVocabulary.Tokens.Length} → {targetVocabulary.Tokens.Length} tokens; {models[0].Parameters.Sum(p => (long)p.Value.Length):N0} parameters" +
                (members > 1 ? $" in each of {members} ensemble members ({sideBySide} side by side)" : "") +
                (rightToLeft > 0 ? $", {(rightToLeft == members ? "all" : rightToLeft.ToString())} right to left" : "") + "; " +
                $"batches of {s.Batch} of similar length, lr {s.LearningRate:0.####} ({schedule}); budget {minutes:0.##} min; the epoch kept by the dev {(monitor == "val_wer" ? "WER" : "loss")} (patience {patience})");

        var run = _ctx.OpenRun(s.Out, Task);
        JsonFiles.Write(run.File("task.json"), new JsonObject
        {
            ["task"] = Task, ["format"] = 1, ["source_tokens"] = data.SourceTokens, ["target_tokens"] = data.TargetTokens,
            ["source_vocabulary"] = new JsonArray(sourceVocabulary.Tokens.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
            ["target_vocabulary"] = new JsonArray(targetVocabulary.Tokens.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
            ["max_length"] = maxLength, ["beam"] = beam, ["data"] = data.Name, ["ensemble"] = members, ["right_to_left"] = rightToLeft,
        });
        int batchSize = Math.Min(s.Batch, pairs.Count), batches = (pairs.Count + batchSize - 1) / batchSize;
        string[] Best(Recur.Decoding.Hypothesis[] h) => targetVocabulary.Strings(h[0].Tokens);
        var devSources = data.Dev.Select(i => i.Source).ToList();
        var gate = new object();
        void Say(string line)
        {
            lock (gate) ui.Info(line);
        }

        // One member's training: its history file, its batches, its schedule, its dev WER, its early stopping.
        (History Fit, int Batches, HistoryCsv History) Train(int m)
        {
            var model = models[m];
            string who = members == 1 ? "" : $"member {m + 1}/{members}: ";
            var history = new HistoryCsv(run.File(m == 0 ? "history.csv" : $"history-{m + 1}.csv"));
            var (x, y, devX, devY) = packed[RightToLeft(m)];
            // Batches of pairs of similar source and target lengths: each runs for its own longest pair.
            var trainBatches = new LengthBuckets(x, y, EncoderDecoder.LengthKeys(options, x), batchSize, shuffle: true, seed: s.Seed + (ulong)m);
            var devBatches = new LengthBuckets(devX, devY, EncoderDecoder.LengthKeys(options, devX), batchSize, shuffle: false);
            var translator = Alone(m);
            var clock = Stopwatch.StartNew();
            int trainedBatches = 0;
            var callbacks = new List<Callback>
            {
                new LambdaCallback
                {
                    BatchEnd = (batch, logs) =>
                    {
                        trainedBatches++;
                        if (clock.Elapsed >= budget || _ctx.Cancellation.IsCancellationRequested) model.StopTraining = true;
                        // A line every tenth of an epoch: the epoch lines alone come minutes apart.
                        if ((batch + 1) % Math.Max(1, batches / 10) == 0 && batch + 1 < batches)
                            Say($"  {who}{batch + 1:N0}/{batches:N0} batches, loss {logs["loss"]:0.0000}, {clock.Elapsed.TotalSeconds:0} s");
                    },
                },
                new LambdaCallback
                {
                    EpochEnd = (epoch, logs) =>
                    {
                        history.Append(new Dictionary<string, double>(logs) { ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1), ["batches"] = trainedBatches });
                        if (members > 1) Say($"{who}epoch {epoch + 1}/{s.Epochs} - {clock.Elapsed.TotalSeconds:0}s - " + string.Join(" - ", logs.Select(kv => $"{kv.Key}: {kv.Value:0.0000}")));
                    },
                },
                schedule == "linear" ? (Callback)new TimeBudgetDecay(budget, finalFactor: 0.02f, clock: () => clock.Elapsed, batchBudget: (long)s.Epochs * batches) : new ReduceLROnPlateau("val_loss", factor: 0.5f, patience: 1),
                // The greedy dev WER of every epoch, with the weights validation saw (the averages with --ema).
                new LambdaCallback { EpochEvaluated = (_, logs) => logs["val_wer"] = Scores.Of(data.Dev, translator.Translate(devSources, 1).Select(Best).ToList()).Wer },
                new EarlyStopping(monitor, patience: patience, restoreBestWeights: true),
            };
            if (ema > 0) callbacks.Add(new ExponentialMovingAverage(ema));
            // Alone, the epoch lines are Fit's own; side by side, each member's come from its callback above.
            model.Output = ui.Quiet || members > 1 ? TextWriter.Null : ui.Output;
            var fit = model.Fit(trainBatches, epochs: s.Epochs, validationData: devBatches, callbacks: callbacks,
                verbose: ui.Quiet || members > 1 ? Verbosity.Silent : Verbosity.EpochLine, cancellationToken: _ctx.Cancellation);
            return (fit, trainedBatches, history);
        }

        // Member m alone (its outputs in reading order also when it reads right to left).
        Translator Alone(int m) => new([networks[m]], sourceVocabulary, targetVocabulary, maxLength, RightToLeft(m) ? 1 : 0);
        var overall = Stopwatch.StartNew();
        var trained = new (History Fit, int Batches, HistoryCsv History)[members];
        if (sideBySide == 1)
            for (int m = 0; m < members; m++) trained[m] = Train(m);
        else
            ParallelMembers.Run(members, sideBySide, m => trained[m] = RecurSettings.OnCallingThread(() => Train(m)));
        double trainSeconds = overall.Elapsed.TotalSeconds;
        for (int m = 0; m < members; m++) EncoderDecoderFile.Save(networks[m], run.File(TranslationModel.MemberFile(m + 1)));
        var (fit, history) = (trained[0].Fit, trained[0].History);
        var translator = new Translator(networks, sourceVocabulary, targetVocabulary, maxLength, rightToLeft);

        var testSources = data.Test.Select(i => i.Source).ToList();
        var (greedy, greedySeconds) = Timed(() => translator.Translate(testSources, 1));
        var (beamed, beamSeconds) = beam == 1 ? (greedy, greedySeconds) : Timed(() => translator.Translate(testSources, beam));
        var (greedyWer, greedyPer) = Scores.Of(data.Test, greedy.Select(Best).ToList());
        var (wer, per) = Scores.Of(data.Test, beamed.Select(Best).ToList());
        // The dev words' scores: what a choice between settings may look at (the test words' may not).
        var devBeamed = translator.Translate(devSources, beam);
        var (devWer, devPer) = Scores.Of(data.Dev, devBeamed.Select(Best).ToList());

        var panels = data.Test.Take(4).Select((item, i) => (item, output: beamed[i][0].Tokens)).Select(p =>
        {
            var weights = translator.Weights(p.item.Source, p.output);
            return weights is null ? null : new AttentionHeatMap.Panel(p.item.Source, [.. targetVocabulary.Strings(p.output), "</s>"], weights);
        }).OfType<AttentionHeatMap.Panel>().ToList();
        var plots = Plots.LearningCurves(history, run.File, "translate");
        if (panels.Count > 0)
        {
            AttentionHeatMap.Save(run.File("attention.svg"), $"attention of the first {panels.Count} test items (beam {beam})", panels);
            plots.Add("attention.svg");
        }
        int testWords = data.Test.Count;
        var metrics = new Dictionary<string, object>
        {
            ["test_wer"] = wer,
            ["test_per"] = per,
            ["test_words"] = testWords,
            ["beam"] = beam,
            ["train_seconds"] = Math.Round(trainSeconds, 1),
            ["greedy_test_wer"] = greedyWer,
            ["greedy_test_per"] = greedyPer,
            ["words_per_second_beam_1"] = Math.Round(testWords / greedySeconds, 1),
            [$"words_per_second_beam_{beam}"] = Math.Round(testWords / beamSeconds, 1),
            ["test_unknown_tokens"] = unknownTest,
            ["dev_unknown_tokens"] = unknownDev,
            ["epochs"] = fit.Epochs,
            ["train_batches"] = trained[0].Batches,
            ["input_feeding"] = options.InputFeeding,
            ["ema"] = ema,
            ["best_val_loss"] = history.Rows.Count > 0 ? history.Column("val_loss").Min() : double.NaN,
            ["best_val_wer"] = history.Rows.Count > 0 ? history.Column("val_wer").Min() : double.NaN,
            ["monitor"] = monitor,
            ["dev_wer"] = devWer,
            ["dev_per"] = devPer,
            ["ensemble"] = members,
            ["right_to_left"] = rightToLeft,
        };
        // What the ensemble gains: each member's own test WER at the same beam, and its epochs.
        if (members > 1)
            for (int m = 0; m < members; m++)
            {
                var alone = Alone(m).Translate(testSources, beam);
                metrics[$"member_{m + 1}_test_wer"] = Scores.Of(data.Test, alone.Select(Best).ToList()).Wer;
                metrics[$"member_{m + 1}_epochs"] = trained[m].Fit.Epochs;
            }
        JsonFiles.WriteMetrics(run.File(RunDirectory.MetricsFile), metrics);
        run.Complete();
        ui.Summary($"test WER {wer:0.0000}, PER {per:0.0000} with beam {beam}; greedy WER {greedyWer:0.0000}, PER {greedyPer:0.0000} — {testWords:N0} test items" +
                   (unknownTest > 0 ? $" ({unknownTest:N0} source tokens never seen in training, read as unknown)" : ""));
        if (members > 1)
            ui.Summary($"ensemble of {members}{(rightToLeft > 0 ? $" ({rightToLeft} right to left)" : "")}: the members alone score test WER {string.Join(", ", Enumerable.Range(1, members).Select(m => $"{(double)metrics[$"member_{m}_test_wer"]:0.0000}"))} with beam {beam}");
        ui.Summary($"{(members > 1 ? "member 1: " : "")}{fit.Epochs} epochs in {trainSeconds:0} s; decoding {testWords / greedySeconds:0} items/s greedy, {testWords / beamSeconds:0} items/s at beam {beam}; " +
                   $"wrote {run.FinalPath}/ (model.recur{(members > 1 ? $" … model-{members}.recur" : "")}, task.json, history.csv, metrics.json, {string.Join(", ", plots)})");
        return CliApp.Success;
    }

    private static (T Value, double Seconds) Timed<T>(Func<T> f)
    {
        var clock = Stopwatch.StartNew();
        var value = f();
        return (value, Math.Max(clock.Elapsed.TotalSeconds, 1e-6));
    }

    private static Option<string?> ModelOption() =>
        new("--model", "-m") { Description = "A run directory of 'recur translate' (default: the latest runs/translate-*)", HelpName = "DIR" };

    /// <summary>The model of <c>--model</c> (its directory) and the <c>--beam</c> width, checked.</summary>
    private static (TranslationModel Model, string Dir, int Beam) Open(ParseResult r, Option<string?> model, Option<int> beam)
    {
        int k = r.GetValue(beam);
        CommonOptions.Positive("--beam", k);
        string dir = r.GetValue(model) ?? TrainedModel.Latest(Task);
        return (TranslationModel.Load(dir, Task), dir, k);
    }

    private static Command EvaluateCommand(CliContext ctx)
    {
        var model = ModelOption();
        var test = new Option<string?>("--test") { Description = "Test pairs, TSV source<TAB>target (default for a model of the CMUdict task: its test words)", HelpName = "FILE" };
        var beam = new Option<int>("--beam") { Description = "Beam width (1: greedy)", DefaultValueFactory = _ => 5 };
        var command = new Command("evaluate", "Score a trained model on test pairs: word error rate (WER) and token error rate (PER)") { model, test, beam };
        command.SetAction(r =>
        {
            var (trained, dir, k) = Open(r, model, beam);
            List<PairItem> items;
            if (r.GetValue(test) is { } path)
            {
                if (trained.SourceMode != trained.TargetMode)
                    throw new InputException($"--test {path}: the model reads {trained.SourceMode} tokens and writes {trained.TargetMode} tokens, unlike a TSV model; it scores on its own test words (no --test).");
                items = PairFile.Read(path, "--test", trained.SourceMode);
            }
            else
            {
                if (trained.Data?.StartsWith("CMUdict", StringComparison.Ordinal) != true)
                    throw new InputException($"--model {dir}: not a model of the CMUdict task; give --test FILE.");
                items = Part(CmuDictSplit(out _), SplitPart.Test);
            }
            var (decoded, seconds) = Timed(() => trained.Translator.Translate(items.Select(i => i.Source).ToList(), k));
            var (wer, per) = Scores.Of(items, decoded.Select(h => trained.Translator.Target.Strings(h[0].Tokens)).ToList());
            int unknown = items.Sum(i => trained.UnknownCount(i.Source));
            ctx.Output.WriteLine($"test WER {wer:0.0000}, PER {per:0.0000} with beam {k} — {items.Count:N0} items" +
                                 (trained.Networks.Count > 1 ? $", an ensemble of {trained.Networks.Count}" : "") +
                                 (unknown > 0 ? $" ({unknown:N0} source tokens never seen in training, read as unknown)" : "") +
                                 $"; {items.Count / seconds:0} items/s");
            return CliApp.Success;
        });
        return command;
    }

    private static Command PredictCommand(CliContext ctx)
    {
        var model = ModelOption();
        var text = new Option<string>("--text") { Description = "The source text", Required = true };
        var beam = new Option<int>("--beam") { Description = "Beam width; above 1 the k best outputs are printed with their scores", DefaultValueFactory = _ => 1 };
        var command = new Command("predict", "Translate one text with a trained model") { model, text, beam };
        command.SetAction(r =>
        {
            var (trained, _, k) = Open(r, model, beam);
            var tokens = trained.SourceTokens(r.GetValue(text)!);
            if (tokens.Length == 0) throw new InputException("--text is empty; give the text to translate.");
            int unknown = trained.UnknownCount(tokens);
            if (unknown == tokens.Length) throw new InputException($"--text: none of its {tokens.Length} tokens occurs in the model's training data.");
            var best = trained.Translator.Translate([tokens], k)[0];
            if (unknown > 0) ctx.Error.WriteLine($"note: {unknown} of the {tokens.Length} source tokens never occurred in training (read as unknown).");
            if (k == 1) ctx.Output.WriteLine(trained.Text(best[0].Tokens));
            else
                foreach (var h in best)
                    ctx.Output.WriteLine($"{h.Score:0.0000}\t{trained.Text(h.Tokens)}");
            return CliApp.Success;
        });
        return command;
    }
}
