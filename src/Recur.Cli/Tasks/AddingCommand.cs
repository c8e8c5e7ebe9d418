using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Recur.Cli.Common;
using Recur.Cli.Data;
using Recur.Cli.Output;
using Recur.Cli.Training;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Training;

namespace Recur.Cli.Tasks;

/// <summary>
/// <c>recur adding</c>: the adding problem of Hochreiter &amp; Schmidhuber (1997) and the picture of
/// vanishing gradients: ‖∂L/∂h_t‖ against t, for the freshly initialised and the trained network
/// of each cell. <c>--compare</c> trains SimpleRNN, LSTM and GRU on the same data.
/// </summary>
internal sealed class AddingCommand
{
    public const string Task = "adding";
    private const double SolvedMse = 1e-3;

    public static readonly TaskDefaults Defaults = new()
    {
        Cell = "lstm", Units = 64, Layers = 1, Bidirectional = false, Epochs = 30, Batch = 32, LearningRate = 1e-3f, Clip = 1f, Seed = 1,
    };

    private readonly CliContext _ctx;
    private readonly CommonOptions _common;
    private readonly Option<int> _length = new("--length", "-T") { Description = "Sequence length T", DefaultValueFactory = _ => 200 };
    private readonly Option<bool> _compare = new("--compare") { Description = "Train SimpleRNN, LSTM and GRU on the same data and plot them together" };
    private readonly Option<int> _trainSize = new("--train-size") { Description = "Training sequences", DefaultValueFactory = _ => 10000 };
    private readonly Option<int> _testSize = new("--test-size") { Description = "Validation and test sequences (each)", DefaultValueFactory = _ => 1000 };

    private AddingCommand(CliContext ctx, Command command)
    {
        _ctx = ctx;
        foreach (var o in new Option[] { _length, _compare, _trainSize, _testSize }) command.Add(o);
        _common = new CommonOptions(command, Defaults, Task, resumable: true);
        command.SetAction(Run);
    }

    public static Command Create(CliContext ctx)
    {
        var command = new Command(Task, "The adding problem (Hochreiter & Schmidhuber 1997) and the gradient norm ‖∂L/∂h_t‖ against t: vanishing gradients in a picture");
        _ = new AddingCommand(ctx, command);
        return command;
    }

    private int Run(ParseResult r)
    {
        var s = _common.Read(r);
        using var threadLimit = ThreadSetting.Limit(s.Threads);
        var ui = _ctx.Ui(s.Quiet);
        int length = r.GetValue(_length), trainSize = r.GetValue(_trainSize), testSize = r.GetValue(_testSize);
        if (length < 2) throw new InputException($"--length is {length}; expected at least 2 (one marker in each half).");
        CommonOptions.Positive("--train-size", trainSize);
        CommonOptions.Positive("--test-size", testSize);
        if (s.Bidirectional) throw new InputException("--bidirectional: the adding problem measures gradients flowing back through time in one direction; leave it off.");
        var cells = r.GetValue(_compare) ? new[] { "rnn", "lstm", "gru" } : new[] { s.Cell };

        var random = new SeededRandom(s.Seed);
        var (xTrain, yTrain) = AddingProblem.Generate(trainSize, length, random.Fork());
        var (xVal, yVal) = AddingProblem.Generate(testSize, length, random.Fork());
        var (xTest, yTest) = AddingProblem.Generate(testSize, length, random.Fork());
        double baseline = AddingProblem.BaselineMse(yTest);
        int probe = Math.Min(100, testSize);
        var xProbe = Slice(xTest, probe);
        var yProbe = Slice(yTest, probe);
        ui.Info($"adding: T = {length}; {trainSize:N0} training, {testSize:N0} validation and {testSize:N0} test sequences; always predicting 1 scores MSE {baseline:0.0000}");

        var run = _ctx.OpenRun(s.Out, Task, s.Resume);
        JsonFiles.Write(run.File("task.json"), new JsonObject { ["task"] = Task, ["format"] = 1, ["length"] = length, ["cells"] = new JsonArray(cells.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()) });
        var metrics = new Dictionary<string, object>();
        var norms = new List<(string Cell, float[] Initial, float[] Trained)>();
        var histories = new List<(string Cell, HistoryCsv History)>();
        var summary = new List<string>();
        double totalSeconds = 0;
        foreach (var cell in cells)
        {
            var cs = s with { Cell = cell };
            bool primary = cell == s.Cell;
            string suffix = primary ? "" : "-" + cell;
            var model = new Sequential(s.Seed, Network.Recurrent(cs, returnSequences: false), new Dense(1));
            model.Build(length, 2);
            Network.Compile(model, cs, Loss.MeanSquaredError());
            var initial = GradientNorms(model, xProbe, yProbe);
            ui.Info($"{cs.Describe()}: training");
            var history = new HistoryCsv(run.File($"history{suffix}.csv"));
            var training = new CommandTraining(model, _ctx, ui, run, run.File($"model{suffix}.recur"), history, CommonOptions.Fingerprint(r), $"backup{suffix}.safetensors")
            {
                // No early stop and no decay on plateaus: on long sequences the loss sits at the
                // baseline for many epochs before the network finds the two markers, then drops.
                Monitor = "val_loss", MaxRounds = s.Epochs, StepsPerRound = (trainSize + s.Batch - 1) / s.Batch,
                StopWhen = logs => logs["val_loss"] < SolvedMse, StopWhenReason = $"solved (validation MSE below {SolvedMse})",
            };
            // Shuffled by the model's seeded stream (the same order for every cell).
            model.Fit(xTrain, yTrain, s.Epochs, s.Batch, validationData: (xVal, yVal), callbacks: training.Callbacks,
                verbose: Verbosity.Silent, cancellationToken: _ctx.Cancellation);
            var result = training.Finish();
            totalSeconds += result.Seconds;
            double testMse = model.Evaluate(xTest, yTest, batchSize: 250)["loss"];
            var trained = GradientNorms(model, xProbe, yProbe);
            norms.Add((cell, initial, trained));
            histories.Add((cell, history));
            if (primary) metrics["test_mse"] = testMse;
            metrics[$"test_mse_{cell}"] = testMse;
            metrics[$"gradient_ratio_initial_{cell}"] = Ratio(initial);
            metrics[$"gradient_ratio_trained_{cell}"] = Ratio(trained);
            metrics[$"epochs_{cell}"] = result.Rounds;
            metrics[$"train_seconds_{cell}"] = Math.Round(result.Seconds, 1);
            summary.Add($"{cs.Describe()}: test MSE {testMse:0.00000} after {result.Rounds} epochs ({result.StopReason}, {result.Seconds:0} s); ‖∂L/∂h_1‖/‖∂L/∂h_T‖ = {Ratio(initial):0.##e0} initialised, {Ratio(trained):0.##e0} trained");
            if (result.Interrupted) break;
        }
        metrics["baseline_mse"] = baseline;                // always 1, on this test draw
        metrics["baseline_mse_expected"] = 1.0 / 6.0;      // Var(U₁ + U₂) = 2/12
        metrics["length"] = length;
        metrics["interrupted"] = _ctx.Cancellation.IsCancellationRequested;

        var plot = new SvgPlot($"adding problem, T = {length}: ‖∂L/∂h_t‖ (LSTM: of (h_t, c_t)) against t", "t", "gradient norm (log scale)") { LogY = true };
        for (int i = 0; i < norms.Count; i++)
        {
            var (cell, init, trained) = norms[i];
            var xs = Enumerable.Range(1, length).Select(t => (double)t).ToArray();
            string name = Name(cell);
            plot.Add($"{name} trained", xs, trained.Select(v => (double)v).ToArray(), color: SvgPlot.Color(i));
            plot.Add($"{name} initialised", xs, init.Select(v => (double)v).ToArray(), dashed: true, color: SvgPlot.Color(i));
        }
        plot.Save(run.File("gradient_norms.svg"));
        WriteNorms(run.File("gradient_norms.csv"), norms, length);
        var loss = new SvgPlot($"adding problem, T = {length}: validation MSE", "epoch", "MSE (log scale)") { LogY = true };
        for (int i = 0; i < histories.Count; i++)
            loss.Add(Name(histories[i].Cell), histories[i].History.Column("epoch"), histories[i].History.Column("val_loss"), color: SvgPlot.Color(i));
        double maxEpoch = histories.Max(h => h.History.Rows.Count);
        loss.Add("always 1", new[] { 1.0, Math.Max(2, maxEpoch) }, new[] { baseline, baseline }, dashed: true, color: "#777777");
        loss.Save(run.File("loss.svg"));
        JsonFiles.WriteMetrics(run.File(RunDirectory.MetricsFile), metrics);
        run.Complete();

        foreach (var line in summary) ui.Summary(line);
        ui.Summary($"baseline (always 1) MSE {baseline:0.0000}; {totalSeconds:0} s; wrote {run.FinalPath}/ (model*.recur, history*.csv, metrics.json, gradient_norms.svg, gradient_norms.csv, loss.svg)");
        return CliApp.Success;
    }

    private static string Name(string cell) => cell switch { "rnn" => "SimpleRNN", var c => c.ToUpperInvariant() };

    /// <summary>‖∂L/∂h_1‖ / ‖∂L/∂h_T‖: how much of the gradient at the end reaches the first step.</summary>
    private static double Ratio(float[] norms) => norms[^1] == 0 ? double.NaN : norms[0] / (double)norms[^1];

    /// <summary>
    /// ‖∂L/∂h_t‖ for t = 1 … T of the MSE on a probe batch, through the top recurrent layer (its
    /// forward direction), without changing the model (parameter gradients are zeroed after).
    /// </summary>
    internal static float[] GradientNorms(Model model, Tensor x, Tensor y)
    {
        var rnn = (RecurrentLayer)model.Layers[0];
        var head = model.Layers[1];
        rnn.RecordStepGradientNorms = true;
        try
        {
            var h = rnn.Forward(x);                      // (B, H): the final state
            var prediction = head.Forward(h);            // (B, 1)
            var result = Loss.MeanSquaredError().Compute(prediction, y);
            rnn.Backward(head.Backward(result.Gradient));
            int T = x.Size(1), row = (rnn.Options.NumLayers - 1) * rnn.Directions;
            return rnn.StepGradientNorms!.Span.Slice(row * T, T).ToArray();
        }
        finally
        {
            rnn.RecordStepGradientNorms = false;
            model.ZeroGrad();
        }
    }

    private static void WriteNorms(string path, List<(string Cell, float[] Initial, float[] Trained)> norms, int length)
    {
        var sb = new StringBuilder("t");
        foreach (var n in norms) sb.Append($",{n.Cell}_initialised,{n.Cell}_trained");
        sb.Append('\n');
        for (int t = 0; t < length; t++)
        {
            sb.Append(t + 1);
            foreach (var n in norms)
                sb.Append(',').Append(n.Initial[t].ToString("R", CultureInfo.InvariantCulture)).Append(',').Append(n.Trained[t].ToString("R", CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        JsonFiles.WriteAtomic(path, new UTF8Encoding(false).GetBytes(sb.ToString()));
    }

    private static Tensor Slice(Tensor t, int rows)
    {
        var shape = t.ShapeArray;
        int width = t.Length / shape[0];
        shape[0] = rows;
        return Tensor.FromArray(t.Span[..(rows * width)], shape);
    }
}
