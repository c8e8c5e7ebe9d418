using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using Recur.Cli.Common;
using Recur.Cli.Data;
using Recur.Cli.Output;
using Recur.Cli.Training;
using Recur.Data;
using Recur.Decoding;
using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Training;

namespace Recur.Cli.Tasks;

/// <summary>
/// <c>recur charlm train|sample</c>: a character language model. Characters → Embedding →
/// stacked LSTM (every step) → Dense(alphabet), trained by truncated BPTT: the training text is
/// cut into <c>--batch</c> contiguous tracks read <c>--seq</c> characters at a time, the state
/// carried from chunk to chunk (a stateful model) and the gradient cut at chunk edges. The
/// learning rate follows a cosine from <c>--lr</c> to a tenth of it over the budget.
/// </summary>
internal static class CharLmCommand
{
    public const string Task = "charlm";

    public static readonly TaskDefaults Defaults = new()
    {
        Cell = "lstm", Units = 256, Layers = 2, Bidirectional = false, Epochs = 0, Batch = 64, LearningRate = 2e-3f, Clip = 5f, Seed = 1,
    };

    public static Command Create(CliContext ctx)
    {
        var command = new Command(Task, "Character language model: train on a text (default: Tiny Shakespeare) and sample from it");
        command.Add(TrainCommand.Create(ctx));
        command.Add(SampleCommand(ctx));
        return command;
    }

    private sealed class TrainCommand
    {
        private readonly CliContext _ctx;
        private readonly CommonOptions _common;
        private readonly Option<string?> _text = new("--text") { Description = "Training text, any characters (default: bundled Tiny Shakespeare)", HelpName = "FILE" };
        private readonly Option<double> _valFraction = new("--val-fraction") { Description = "Last fraction of the text held out for validation", DefaultValueFactory = _ => 0.1 };
        private readonly Option<int> _seq = new("--seq") { Description = "Characters per chunk of truncated BPTT", DefaultValueFactory = _ => 100 };
        private readonly Option<long?> _steps = new("--steps") { Description = "Stop after this many updates" };
        private readonly Option<double?> _minutes = new("--minutes") { Description = "Stop after this many minutes of training (default 10 unless --steps or --epochs is given)" };
        private readonly Option<int> _evalEvery = new("--eval-every") { Description = "Updates between validation passes (each is one row of history.csv)", DefaultValueFactory = _ => 200 };
        private readonly Option<int> _embedding = new("--embedding") { Description = "Character embedding size", DefaultValueFactory = _ => 64 };
        private readonly Option<float> _dropout = new("--dropout") { Description = "Dropout between stacked layers", DefaultValueFactory = _ => 0f };
        private readonly Option<bool> _quantize = new("--quantize") { Description = "Also score the trained model quantised to int8 (Model.Quantize: dynamic int8 recurrent and dense weights): val_loss_int8 in metrics.json" };

        private TrainCommand(CliContext ctx, Command command)
        {
            _ctx = ctx;
            foreach (var o in new Option[] { _text, _valFraction, _seq, _steps, _minutes, _evalEvery, _embedding, _dropout, _quantize }) command.Add(o);
            _common = new CommonOptions(command, Defaults, Task, epochsHelp: "no limit: --minutes or --steps decides", resumable: true, variants: true);
            command.SetAction(Run);
        }

        public static Command Create(CliContext ctx)
        {
            var command = new Command("train", "Train a character language model and report validation loss (nats/char) and bits per character");
            _ = new TrainCommand(ctx, command);
            return command;
        }

        private int Run(ParseResult r)
        {
            var s = _common.Read(r);
            using var threadLimit = ThreadSetting.Limit(s.Threads);
            var ui = _ctx.Ui(s.Quiet);
            int seq = r.GetValue(_seq), evalEvery = r.GetValue(_evalEvery), embedding = r.GetValue(_embedding);
            CommonOptions.Positive("--seq", seq);
            CommonOptions.Positive("--eval-every", evalEvery);
            CommonOptions.Positive("--embedding", embedding);
            double valFraction = r.GetValue(_valFraction);
            if (!(valFraction > 0 && valFraction < 0.5)) throw new InputException($"--val-fraction is {valFraction}; expected a value in (0, 0.5).");
            float dropout = r.GetValue(_dropout);
            if (!(dropout >= 0 && dropout < 1)) throw new InputException($"--dropout is {dropout}; expected a value in [0, 1).");
            long? maxSteps = r.GetValue(_steps);
            if (maxSteps is { } ms) CommonOptions.Positive("--steps", ms);
            double? minutes = r.GetValue(_minutes);
            if (minutes is { } mn && !(mn > 0)) throw new InputException($"--minutes is {mn}; expected a positive number.");
            if (minutes is null && maxSteps is null && s.Epochs == 0) minutes = 10;

            string path = r.GetValue(_text) ?? BundledData.Path("tinyshakespeare/input.txt");
            string text = CharText.Read(path);
            var chars = CharText.FromText(text);
            int split = (int)(text.Length * (1 - valFraction)); // as nanoGPT: the first ⌊0.9·n⌋ characters train
            if (split < 2 || text.Length - split < 2) throw new InputException($"{path}: {text.Length} characters are too few to hold out {valFraction} for validation.");
            var train = chars.Encode(text[..split]);
            var val = chars.Encode(text[split..]);
            int batch = Math.Min(s.Batch, (train.Length - 1) / seq);
            if (batch < 1) throw new InputException($"--seq {seq} is longer than the training text ({train.Length} characters of {path}).");
            var stream = new TokenStream(train, batch, seq);
            int chunksPerPass = stream.Count!.Value;

            var model = new Sequential(s.Seed,
                new Embedding(chars.Alphabet.Length, embedding),
                Network.Recurrent(s, returnSequences: true, dropout: dropout),
                new Dense(chars.Alphabet.Length));
            model.Build(-1);
            model.Stateful = true;
            Network.Compile(model, s, Loss.SparseCategoricalCrossEntropy(fromLogits: true));

            ui.Info($"charlm: {s.Describe()} on {path} — {train.Length:N0} training and {val.Length:N0} validation characters, alphabet of {chars.Alphabet.Length}; " +
                    $"{batch} tracks × {seq} characters per update ({chunksPerPass:N0} updates per pass); " +
                    $"budget: {string.Join(", ", new[] { minutes is { } m ? $"{m:0.##} min" : null, maxSteps is { } st ? $"{st:N0} updates" : null, s.Epochs > 0 ? $"{s.Epochs} passes" : null }.Where(x => x is not null))}");

            var run = _ctx.OpenRun(s.Out, Task, s.Resume);
            JsonFiles.Write(run.File("task.json"), new JsonObject
            {
                ["task"] = Task, ["format"] = 1, ["alphabet"] = chars.Alphabet, ["seq"] = seq, ["model"] = s.Describe(),
            });
            var history = new HistoryCsv(run.File("history.csv"));
            long totalSteps = maxSteps ?? (s.Epochs > 0 ? (long)s.Epochs * chunksPerPass : long.MaxValue);
            TimeSpan? budget = minutes is { } mm ? TimeSpan.FromMinutes(mm) : null;
            float lr0 = s.LearningRate;
            CommandTraining? training = null;
            training = new CommandTraining(model, _ctx, ui, run, run.File("model.recur"), history, CommonOptions.Fingerprint(r))
            {
                Monitor = "val_loss", MaxRounds = int.MaxValue, MaxSteps = totalSteps == long.MaxValue ? null : totalSteps, Budget = budget,
                RoundName = "eval", StepsPerRound = evalEvery,
                BeforeBatch = (step, elapsed) =>
                {
                    // Cosine from lr0 to lr0/10 over whichever budget ends first.
                    double progress = Math.Max(budget is { } b ? elapsed / b : 0, totalSteps == long.MaxValue ? 0 : (double)step / totalSteps);
                    model.Optimizer!.LearningRate = (float)(lr0 * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1, progress)))));
                },
                Extra = _ =>
                {
                    double loss = ValidationLoss(model, val, seq);
                    return new Dictionary<string, double> { ["val_loss"] = loss, ["val_bpc"] = loss / Math.Log(2), ["chars"] = (double)training!.Steps * batch * seq };
                },
            };
            // A round (one row of history.csv) is --eval-every updates of the stream read pass after pass.
            model.Fit(stream, epochs: int.MaxValue, stepsPerEpoch: evalEvery, callbacks: training.Callbacks, verbose: Verbosity.Silent, cancellationToken: _ctx.Cancellation);
            var result = training.Finish();

            // The loop restored the best weights: their validation loss is the best logged one.
            double valLoss = history.Rows.Count > 0 ? history.Column("val_loss").Min() : ValidationLoss(model, val, seq);
            double trainLoss = history.Rows.Count > 0 ? history.Rows[^1]["loss"] : double.NaN;
            string prime = PrimeFrom(text);
            string sample = Sample(model, chars, prime, 600, 0.8, s.Seed);
            JsonFiles.WriteAtomic(run.File("sample.txt"), new UTF8Encoding(false).GetBytes(sample));
            double? valInt8 = r.GetValue(_quantize) ? ValidationLoss(model.Quantize(), val, seq) : null;
            var plots = Plots.LearningCurves(history, run.File, "charlm", round: $"evaluation (every {evalEvery} updates)");
            var metrics = new Dictionary<string, object>
            {
                ["val_loss"] = valLoss,
                ["val_bpc"] = valLoss / Math.Log(2),
                ["train_loss"] = trainLoss,
                ["updates"] = result.Steps,
                ["characters_seen"] = result.Steps * batch * seq,
                ["passes"] = Math.Round((double)result.Steps / chunksPerPass, 3),
                ["train_seconds"] = Math.Round(result.Seconds, 1),
                ["interrupted"] = result.Interrupted,
            };
            if (valInt8 is { } q) metrics["val_loss_int8"] = q;
            JsonFiles.WriteMetrics(run.File(RunDirectory.MetricsFile), metrics);
            run.Complete();

            ui.Info("");
            ui.Info(sample);
            ui.Info("");
            ui.Summary($"validation loss {valLoss:0.0000} nats/char ({valLoss / Math.Log(2):0.0000} bits/char) on the last {val.Length:N0} characters; training loss {trainLoss:0.0000}");
            if (valInt8 is { } q8) ui.Summary($"validation loss quantised to int8 {q8:0.0000} nats/char ({q8 - valLoss:+0.0000;-0.0000;0.0000})");
            ui.Summary($"{result.Steps:N0} updates ({(double)result.Steps / chunksPerPass:0.00} passes over the text), {result.StopReason}, {result.Seconds:0} s; wrote {run.FinalPath}/ (model.recur, task.json, history.csv, metrics.json, sample.txt, {string.Join(", ", plots)})");
            return CliApp.Success;
        }

        /// <summary>The first line of the text (at most 40 characters) and its line break: a natural start for a sample.</summary>
        private static string PrimeFrom(string text)
        {
            int end = text.IndexOf('\n');
            return end > 0 && end <= 40 ? text[..(end + 1)] : text[..Math.Min(text.Length, 1)];
        }
    }

    /// <summary>
    /// Mean cross-entropy (nats) of predicting every validation character from the ones before
    /// it, read as up to 64 contiguous tracks with the state carried across chunks. Starts and
    /// ends with fresh states, so training continues from zeros.
    /// </summary>
    internal static double ValidationLoss(Model model, int[] ids, int seq)
    {
        int tracks = Math.Max(1, Math.Min(64, (ids.Length - 1) / seq));
        model.ResetStates();
        double sum = 0;
        long count = 0;
        foreach (var chunk in new TokenStream(ids, tracks, seq, dropRemainder: false).GetBatches(0))
        {
            // Each chunk weighted by its characters (the last one is shorter).
            sum += model.Evaluate(chunk.X, chunk.Y, batchSize: tracks)["loss"] * chunk.Y.Length;
            count += chunk.Y.Length;
        }
        model.ResetStates();
        return sum / count;
    }

    /// <summary>
    /// Generates <paramref name="length"/> characters after <paramref name="prime"/>: the prime runs
    /// through the model step by step from a zero state, then each character drawn from
    /// softmax(log p / temperature) is fed back (<see cref="Sampler"/>). The model's carried states are untouched.
    /// </summary>
    internal static string Sample(Model model, CharText chars, string prime, int length, double temperature, ulong seed)
    {
        var stepper = new LanguageModelStepper(model);
        var ids = chars.Encode(prime);
        var state = stepper.Feed(stepper.Initial(1), ids.AsSpan(0, ids.Length - 1));
        var (tokens, _) = Sampler.Sample(stepper, state, ids.AsSpan(ids.Length - 1), length,
            new SamplingOptions { Temperature = temperature }, new SeededRandom(seed));
        var output = new StringBuilder(prime);
        foreach (int t in tokens[0]) output.Append(chars.Alphabet[t]);
        return output.ToString();
    }

    private static Command SampleCommand(CliContext ctx)
    {
        var model = new Option<string?>("--model", "-m") { Description = "model.recur from 'recur charlm train' or its run directory (default: the latest runs/charlm-*)", HelpName = "FILE" };
        var prime = new Option<string>("--prime") { Description = "Text to start from", DefaultValueFactory = _ => "ROMEO:" };
        var length = new Option<int>("--length") { Description = "Characters to generate", DefaultValueFactory = _ => 500 };
        var temperature = new Option<double>("--temperature") { Description = "Below 1: safer, more repetitive; above 1: more surprising", DefaultValueFactory = _ => 0.8 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the sampling", DefaultValueFactory = _ => 1 };
        var command = new Command("sample", "Generate text from a trained character language model") { model, prime, length, temperature, seed };
        command.SetAction(r =>
        {
            string p = r.GetValue(prime)!;
            int n = r.GetValue(length);
            double t = r.GetValue(temperature);
            if (p.Length == 0) throw new InputException("--prime is empty; give at least one character to start from.");
            if (n < 0) throw new InputException($"--length is {n}; expected 0 or more.");
            if (!(t > 0 && double.IsFinite(t))) throw new InputException($"--temperature is {t}; expected a positive number.");
            var trained = TrainedModel.Load(r.GetValue(model) ?? TrainedModel.Latest(Task), Task);
            var chars = new CharText(trained.Task["alphabet"]?.GetValue<string>() ?? throw new InputException($"{trained.Path}: task.json has no alphabet."));
            foreach (char c in p)
                if (!chars.Contains(c)) throw new InputException($"--prime: the character '{c}' does not occur in the model's training text.");
            ctx.Output.WriteLine(Sample(trained.Model, chars, p, n, t, r.GetValue(seed)));
            return CliApp.Success;
        });
        return command;
    }
}
