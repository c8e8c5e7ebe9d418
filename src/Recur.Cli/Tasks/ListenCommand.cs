using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Recur.Audio;
using Recur.Cli.Common;
using Recur.Cli.Data;
using Recur.Cli.Output;
using Recur.Cli.Speech;
using Recur.Cli.Training;
using Recur.Decoding;
using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Training;

namespace Recur.Cli.Tasks;

/// <summary>
/// <c>recur listen</c>: speech recognition with CTC. Log-mel features (3 frames stacked per step)
/// → (bi)LSTM/GRU returning every step → Dense(blank + tokens) per step, trained with the CTC loss
/// through <see cref="Model.Fit"/>, decoded by prefix beam search. With no arguments it trains on
/// the bundled synthetic connected spoken digits, whose test voices are never heard in training.
/// <c>recur listen predict</c> transcribes a WAV file; <c>recur listen pack</c> turns a WAV
/// manifest into a feature file like the bundled ones.
/// </summary>
internal sealed class ListenCommand
{
    public const string Task = "listen";
    private const int Stack = 3;

    public static readonly TaskDefaults Defaults = new()
    {
        Cell = "lstm", Units = 96, Layers = 2, Bidirectional = true, Epochs = 40, Batch = 32, LearningRate = 2e-3f, Clip = 5f, Seed = 1,
    };

    private readonly CliContext _ctx;
    private readonly CommonOptions _common;
    private readonly Option<string?> _data = new("--data") { Description = "A folder with train.digits.gz and test.digits.gz feature files (default: the bundled synthetic spoken digits)", HelpName = "DIR" };
    private readonly Option<string?> _train = new("--train") { Description = "Training recordings: a manifest (FILE.wav<TAB>transcript[<TAB>voice<TAB>condition] per line) or a feature file from 'recur listen pack'", HelpName = "FILE" };
    private readonly Option<string?> _test = new("--test") { Description = "Test recordings, as --train (default with --train: 10% of its voices)", HelpName = "FILE" };
    private readonly Option<bool> _noise = new("--noise") { Description = "Train on the noisy copies too (--noise false: clean recordings only)", DefaultValueFactory = _ => true };
    private readonly Option<int> _beam = new("--beam") { Description = "Prefix beam search width (1: greedy best path)", DefaultValueFactory = _ => 8 };
    private readonly Option<double> _minutes = new("--minutes") { Description = "Stop training after this many minutes (the best epoch so far is kept)", DefaultValueFactory = _ => 12.0 };
    private readonly Option<int> _limit = new("--limit") { Description = "Use at most this many training recordings (0: all)", DefaultValueFactory = _ => 0 };
    private readonly Option<float> _dropout = new("--dropout") { Description = "Dropout between stacked recurrent layers and before the output", DefaultValueFactory = _ => 0.1f };

    private ListenCommand(CliContext ctx, Command command)
    {
        _ctx = ctx;
        foreach (var o in new Option[] { _data, _train, _test, _noise, _beam, _minutes, _limit, _dropout }) command.Add(o);
        _common = new CommonOptions(command, Defaults, Task);
        command.SetAction(Run);
    }

    public static Command Create(CliContext ctx)
    {
        var command = new Command(Task, "Train a speech recogniser (bidirectional LSTM + CTC) on WAV recordings (default: synthetic connected spoken digits)");
        _ = new ListenCommand(ctx, command);
        command.Add(PredictSubcommand(ctx));
        command.Add(PackSubcommand(ctx));
        return command;
    }

    private int Run(ParseResult r)
    {
        var s = _common.Read(r);
        using var threadLimit = ThreadSetting.Limit(s.Threads);
        var ui = _ctx.Ui(s.Quiet);
        int beam = r.GetValue(_beam);
        CommonOptions.Positive("--beam", beam);
        double minutes = r.GetValue(_minutes);
        if (!(minutes > 0)) throw new InputException($"--minutes is {minutes}; expected a positive number.");
        float dropout = r.GetValue(_dropout);
        if (!(dropout >= 0 && dropout < 1)) throw new InputException($"--dropout is {dropout}; expected a value in [0, 1).");
        int limit = r.GetValue(_limit);
        if (limit < 0) throw new InputException($"--limit is {limit}; expected 0 (all) or more.");
        var features = new LogMelOptions();

        // Data: bundled features, a --data folder, or --train/--test manifests or feature files.
        string? trainPath = r.GetValue(_train), testPath = r.GetValue(_test), dataDir = r.GetValue(_data);
        if (trainPath is not null && dataDir is not null) throw new InputException("pass either --data DIR or --train FILE, not both.");
        if (testPath is not null && trainPath is null) throw new InputException("--test needs --train (or use --data DIR).");
        List<SpokenUtterance> train, test;
        string source;
        if (trainPath is null)
        {
            dataDir ??= BundledData.Path("spoken_digits");
            train = Load(Path.Combine(dataDir, "train.digits.gz"), "--data", features);
            test = Load(Path.Combine(dataDir, "test.digits.gz"), "--data", features);
            source = dataDir;
        }
        else
        {
            train = Load(trainPath, "--train", features);
            if (testPath is not null) test = Load(testPath, "--test", features);
            else (train, test) = SplitByVoice(train, 0.1, s.Seed, "--train");
            source = trainPath;
        }
        bool noise = r.GetValue(_noise);
        if (!noise) train = train.Where(u => u.Condition is "clean" or "unknown").ToList();
        if (limit > 0 && train.Count > limit) train = train.Take(limit).ToList();
        var (fit, dev) = SplitByVoice(train, 0.1, s.Seed + 1, "the training recordings");
        int bands = train[0].Features.Size(1);
        foreach (var u in train.Concat(test))
            if (u.Features.Size(1) != bands) throw new InputException($"{source}: recordings have {u.Features.Size(1)} and {bands} feature bands; expected one front end for all.");

        var alphabet = SpeechAlphabet.Build(fit.Select(u => u.Transcript));
        var fitLabels = Labels(fit, alphabet, "--train");
        var devLabels = Labels(dev, alphabet, "--train");
        var testLabels = Labels(test, alphabet, testPath is null && trainPath is null ? "--data test" : "--test");

        var model = new Sequential(s.Seed,
            Network.Recurrent(s, returnSequences: true, dropout: dropout),
            new Dropout(dropout),
            new Dense(alphabet.Classes));
        model.Build(-1, Stack * bands);
        Network.Compile(model, s, new Ctc(blank: 0, zeroInfinity: true));
        model.Output = TextWriter.Null;

        int testVoices = test.Select(u => u.Voice).Distinct().Count(), fitVoices = fit.Select(u => u.Voice).Distinct().Count();
        ui.Info($"listen: {s.Describe()} + CTC on {source} — {fit.Count:N0} training recordings ({fitVoices} voices{(noise ? ", clean and noisy" : ", clean only")}), " +
                $"{dev.Count:N0} dev ({dev.Select(u => u.Voice).Distinct().Count()} other voices), {test.Count:N0} test ({testVoices} voices not in training); " +
                $"{alphabet.Classes - 1} tokens ({string.Join(" ", alphabet.Tokens)}) + blank; {bands} log-mel bands, {Stack} frames per step");

        var run = _ctx.OpenRun(s.Out, Task);
        string modelFile = run.File("model.recur");
        JsonFiles.Write(run.File("task.json"), new JsonObject
        {
            ["task"] = Task, ["format"] = 1,
            ["tokens"] = new JsonArray(alphabet.Tokens.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
            ["words_are_tokens"] = alphabet.WordsAreTokens,
            ["blank"] = 0, ["stack"] = Stack, ["beam"] = beam,
            ["front_end"] = $"log-mel {features.Bands} bands {features.LowHz}-{features.HighHz} Hz, {features.FrameSeconds * 1000} ms frames every {features.HopSeconds * 1000} ms at {features.SampleRate} Hz, per-utterance normalisation",
            ["bands"] = features.Bands,
            ["model"] = s.Describe(),
        });

        var history = new HistoryCsv(run.File("history.csv"));
        var random = new SeededRandom(s.Seed ^ 0x11);
        var clock = Stopwatch.StartNew();
        double bestDevWer = double.PositiveInfinity;
        int bestEpoch = 0, sinceBest = 0, epochsRun = 0;
        bool interrupted = false, timeUp = false;
        for (int epoch = 1; epoch <= s.Epochs && !interrupted && !timeUp; epoch++)
        {
            double lossSum = 0;
            int seen = 0;
            foreach (var rows in Batches(fit, s.Batch, random))
            {
                var (x, lengths, y) = SpeechBatch.Make(fit, rows, Stack, fitLabels);
                var h = model.Fit(x, y!, epochs: 1, batchSize: rows.Length, shuffle: false, verbose: Verbosity.Silent,
                    mask: SequenceMask.FromLengths(lengths, x.Size(1)));
                lossSum += h["loss"][0] * rows.Length;
                seen += rows.Length;
                ui.Progress($"epoch {epoch}: {seen:N0}/{fit.Count:N0} loss {lossSum / seen:0.000}");
                if (_ctx.Cancellation.IsCancellationRequested) { interrupted = true; break; }
                if (clock.Elapsed.TotalMinutes > minutes) { timeUp = true; break; }
            }
            ui.EndProgress();
            epochsRun = epoch;
            var devScore = Score(model, dev, devLabels, alphabet, beam: 1);
            history.Append(new Dictionary<string, double>
            {
                ["epoch"] = epoch, ["loss"] = lossSum / Math.Max(seen, 1), ["val_wer"] = devScore.Wer, ["val_cer"] = devScore.Cer,
                ["lr"] = model.Optimizer!.LearningRate, ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
            });
            ui.Info($"epoch {epoch}: loss {lossSum / Math.Max(seen, 1):0.000}, dev WER {devScore.Wer:P2}, CER {devScore.Cer:P2} ({clock.Elapsed.TotalSeconds:0} s)");
            if (devScore.Wer < bestDevWer)
            {
                bestDevWer = devScore.Wer;
                bestEpoch = epoch;
                sinceBest = 0;
                model.Save(modelFile, includeOptimizer: false);
            }
            else if (++sinceBest % 2 == 0) model.Optimizer!.LearningRate *= 0.5f; // a plateau of two epochs halves the step
            if (sinceBest >= 6) break;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        if (bestEpoch == 0) model.Save(modelFile, includeOptimizer: false);
        var best = Model.Load(modelFile);

        var score = Score(best, test, testLabels, alphabet, beam);
        var plots = Plots.LearningCurves(history, run.File, Task, "wer");
        plots.AddRange(Alignments(best, test, alphabet, score.Hypotheses, run.File));
        var metrics = new Dictionary<string, object>
        {
            ["test_wer"] = score.Wer,
            ["test_cer"] = score.Cer,
            ["test_sentence_accuracy"] = score.SentenceAccuracy,
            ["train_seconds"] = Math.Round(seconds, 1),
            ["dev_wer"] = bestDevWer,
            ["best_epoch"] = bestEpoch,
            ["epochs"] = epochsRun,
            ["train_recordings"] = fit.Count,
            ["test_recordings"] = test.Count,
            ["test_voices"] = testVoices,
            ["noise_augmentation"] = noise,
            ["beam"] = beam,
            ["interrupted"] = interrupted,
        };
        foreach (var group in test.Select((u, i) => (Clean: u.Condition == "clean", i)).GroupBy(p => p.Clean))
        {
            var idx = group.Select(p => p.i).ToList();
            metrics[group.Key ? "test_wer_clean" : "test_wer_noisy"] = CtcErrorRates.WordErrorRate(idx.Select(i => test[i].Transcript).ToList(), idx.Select(i => score.Hypotheses[i]).ToList());
        }
        JsonFiles.WriteMetrics(run.File(RunDirectory.MetricsFile), metrics);
        run.Complete();
        ui.Summary($"test WER {score.Wer:P2}, CER {score.Cer:P2}, sentences right {score.SentenceAccuracy:P1} over {test.Count:N0} recordings of {testVoices} voices not heard in training");
        ui.Summary($"best epoch {bestEpoch} of {epochsRun}{(timeUp ? " (time budget reached)" : "")}, {seconds:0} s; wrote {run.FinalPath}/ (model.recur, task.json, history.csv, metrics.json, {string.Join(", ", plots)})");
        return CliApp.Success;
    }

    private static List<SpokenUtterance> Load(string path, string option, LogMelOptions features)
        => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? FeatureBundle.Read(path, option, out _)
            : AudioManifest.Read(path, option, features);

    /// <summary>Class ids per utterance, checked: every character in the alphabet, and enough steps for CTC.</summary>
    private static List<int[]> Labels(List<SpokenUtterance> set, SpeechAlphabet alphabet, string option)
        => set.Select(u =>
        {
            var ids = alphabet.Encode(u.Transcript, option);
            int steps = SpeechBatch.Steps(u.Frames, Stack), needed = SpeechBatch.MinimumSteps(ids);
            if (steps < needed)
                throw new InputException($"{option}: the recording of \"{u.Transcript}\" ({u.Voice}) is {u.Frames * 10} ms long, {steps} steps, shorter than its transcript, which needs {needed}: CTC cannot align it.");
            return ids;
        }).ToList();

    /// <summary>Holds out the recordings of a fraction of the voices (at least one voice).</summary>
    internal static (List<SpokenUtterance> Kept, List<SpokenUtterance> Held) SplitByVoice(List<SpokenUtterance> set, double fraction, ulong seed, string what)
    {
        var voices = set.Select(u => u.Voice).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (voices.Length < 2) throw new InputException($"{what} come from {voices.Length} voice; holding out voices needs at least two (label the voices in the manifest's third column, or pass --test).");
        new SeededRandom(seed).Shuffle(voices.AsSpan());
        var held = voices.Take(Math.Max(1, (int)Math.Round(voices.Length * fraction))).ToHashSet();
        return (set.Where(u => !held.Contains(u.Voice)).ToList(), set.Where(u => held.Contains(u.Voice)).ToList());
    }

    /// <summary>Shuffled batches of recordings of similar length (sorted within pools of 16 batches), in random order.</summary>
    private static List<int[]> Batches(List<SpokenUtterance> set, int batch, SeededRandom random)
    {
        var order = Enumerable.Range(0, set.Count).ToArray();
        random.Shuffle(order.AsSpan());
        var batches = new List<int[]>();
        int pool = batch * 16;
        for (int start = 0; start < order.Length; start += pool)
        {
            var chunk = order.Skip(start).Take(pool).OrderBy(i => set[i].Frames).ToArray();
            for (int b = 0; b < chunk.Length; b += batch) batches.Add(chunk.Skip(b).Take(batch).ToArray());
        }
        var shuffled = batches.ToArray();
        random.Shuffle(shuffled.AsSpan());
        return shuffled.ToList();
    }

    private sealed record Scores(double Wer, double Cer, double SentenceAccuracy, List<string> Hypotheses);

    private static Scores Score(Model model, List<SpokenUtterance> set, List<int[]> labels, SpeechAlphabet alphabet, int beam)
    {
        var hypotheses = Transcribe(model, set, alphabet, beam);
        var references = set.Select(u => u.Transcript).ToList();
        return new Scores(CtcErrorRates.WordErrorRate(references, hypotheses), CtcErrorRates.CharacterErrorRate(references, hypotheses),
            CtcErrorRates.SentenceAccuracy(references, hypotheses), hypotheses);
    }

    /// <summary>Transcripts of every recording, decoded in length-sorted batches.</summary>
    internal static List<string> Transcribe(Model model, IReadOnlyList<SpokenUtterance> set, SpeechAlphabet alphabet, int beam, int stack = Stack)
    {
        var result = new string[set.Count];
        var order = Enumerable.Range(0, set.Count).OrderBy(i => set[i].Frames).ToArray();
        for (int start = 0; start < order.Length; start += 64)
        {
            var rows = order.Skip(start).Take(64).ToArray();
            var (x, lengths, _) = SpeechBatch.Make(set, rows, stack, null);
            var logits = model.Predict(x, batchSize: rows.Length, mask: SequenceMask.FromLengths(lengths, x.Size(1)));
            var decoded = beam <= 1 ? CtcGreedyDecoder.Decode(logits, lengths) : CtcPrefixBeamSearch.DecodeBest(logits, beam, lengths);
            for (int i = 0; i < rows.Length; i++) result[rows[i]] = alphabet.Decode(decoded[i].Labels);
        }
        return result.ToList();
    }

    /// <summary>alignment_N.svg for the first three test recordings.</summary>
    private static List<string> Alignments(Model model, List<SpokenUtterance> test, SpeechAlphabet alphabet, List<string> hypotheses, Func<string, string> file)
    {
        var written = new List<string>();
        for (int i = 0; i < Math.Min(3, test.Count); i++)
        {
            var (x, lengths, _) = SpeechBatch.Make(test, new[] { i }, Stack, null);
            var probabilities = model.Loss is { } loss ? loss.ToProbabilities(model.Predict(x)) : new Ctc().ToProbabilities(model.Predict(x));
            string name = $"alignment_{i + 1}.svg";
            AlignmentPlot.Save(file(name), probabilities.Span[..(lengths[0] * alphabet.Classes)].ToArray(), alphabet.Classes, alphabet,
                test[i].Transcript + $" ({test[i].Voice}, {test[i].Condition})", hypotheses[i], Stack * 0.01);
            written.Add(name);
        }
        return written;
    }

    private static Command PredictSubcommand(CliContext ctx)
    {
        var model = new Option<string?>("--model", "-m") { Description = "A run directory of 'recur listen' (default: the latest runs/listen-*)", HelpName = "DIR" };
        var wav = new Option<string>("--wav") { Description = "A 16-bit PCM WAV recording (any rate, mono or stereo)", HelpName = "FILE", Required = true };
        var command = new Command("predict", "Print the transcript of a WAV recording with a model trained by 'recur listen'") { model, wav };
        command.SetAction(r =>
        {
            var trained = TrainedModel.Load(r.GetValue(model) ?? TrainedModel.Latest(Task), Task);
            bool words = trained.Task["words_are_tokens"] is JsonValue v && v.GetValue<bool>();
            var alphabet = new SpeechAlphabet(trained.Strings("tokens"), words);
            var features = AudioManifest.Features(r.GetValue(wav)!, "--wav", new LogMelOptions { Bands = trained.Int("bands") });
            var utterance = new SpokenUtterance("", "", "", features);
            ctx.Output.WriteLine(Transcribe(trained.Model, new[] { utterance }, alphabet, trained.Int("beam"), trained.Int("stack"))[0]);
            return CliApp.Success;
        });
        return command;
    }

    private static Command PackSubcommand(CliContext ctx)
    {
        var manifest = new Option<string>("--manifest") { Description = "WAV recordings: FILE.wav<TAB>transcript[<TAB>voice<TAB>condition] per line", HelpName = "FILE", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "The feature file to write (.gz)", HelpName = "FILE", Required = true };
        var command = new Command("pack", "Compute the normalised log-mel features of a WAV manifest into one compressed feature file (what data/spoken_digits holds)") { manifest, output };
        command.SetAction(r =>
        {
            var features = new LogMelOptions();
            var utterances = AudioManifest.Read(r.GetValue(manifest)!, "--manifest", features);
            FeatureBundle.Write(r.GetValue(output)!, utterances, features.Bands, features.HopSeconds);
            ctx.Output.WriteLine($"wrote {r.GetValue(output)}: {utterances.Count:N0} recordings, {utterances.Sum(u => u.Frames):N0} frames of {features.Bands} bands");
            return CliApp.Success;
        });
        return command;
    }
}
