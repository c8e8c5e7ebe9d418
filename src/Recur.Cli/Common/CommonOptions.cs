using System.CommandLine;
using System.Globalization;

namespace Recur.Cli.Common;

/// <summary>The defaults one task gives the common options (chosen to reach its quality targets untuned).</summary>
internal sealed record TaskDefaults
{
    public string Cell { get; init; } = "lstm";
    public int Units { get; init; } = 64;
    public int Layers { get; init; } = 1;
    public bool Bidirectional { get; init; }
    public int Epochs { get; init; } = 10;
    public int Batch { get; init; } = 32;
    public float LearningRate { get; init; } = 1e-3f;
    public float Clip { get; init; } = 5f;
    public ulong Seed { get; init; } = 1;
}

/// <summary>
/// The cell options of <c>--input-dropout --recurrent-dropout --layer-norm --zoneout</c> (see
/// <see cref="Recur.Layers.Recurrent.RecurrentOptions"/>); all off by default.
/// </summary>
internal sealed record CellVariants(float InputDropout = 0f, float RecurrentDropout = 0f, bool LayerNorm = false, float Zoneout = 0f)
{
    /// <summary>", layer norm, recurrent dropout 0.25" for summaries; empty when all are off.</summary>
    public string Describe() => string.Concat(
        LayerNorm ? ", layer norm" : "",
        InputDropout > 0 ? $", input dropout {CommonOptions.FloatText(InputDropout)}" : "",
        RecurrentDropout > 0 ? $", recurrent dropout {CommonOptions.FloatText(RecurrentDropout)}" : "",
        Zoneout > 0 ? $", zoneout {CommonOptions.FloatText(Zoneout)}" : "");
}

/// <summary>The validated common settings of a training run.</summary>
internal sealed record TrainSettings(string Cell, int Units, int Layers, bool Bidirectional, int Epochs, int Batch,
    float LearningRate, float Clip, ulong Seed, int? Threads, bool Quiet, string? Out, string Init = "keras", bool Resume = false,
    CellVariants? Variants = null)
{
    /// <summary>"2-layer bidirectional LSTM(64)" (with the cell options on, "LSTM(64, layer norm)") for summaries.</summary>
    public string Describe() =>
        $"{(Layers > 1 ? Layers + "-layer " : "")}{(Bidirectional ? "bidirectional " : "")}{Cell.ToUpperInvariant() switch { "RNN" => "SimpleRNN", var c => c }}({Units}{Variants?.Describe()})";
}

/// <summary>
/// The options every training command takes: <c>--cell --units --layers --bidirectional --epochs
/// --batch --lr --clip --seed --threads --quiet --out --resume</c>, each with the task's default;
/// for the commands whose model is one recurrent stack, also the cell options
/// <c>--input-dropout --recurrent-dropout --layer-norm --zoneout</c>.
/// </summary>
internal sealed class CommonOptions
{
    private readonly Option<string> _cell;
    private readonly Option<int> _units, _layers, _epochs, _batch;
    private readonly Option<bool> _bidirectional;
    private readonly Option<float> _lr, _clip;
    private readonly Option<ulong> _seed;
    private readonly Option<int?> _threads;
    private readonly Option<bool> _quiet;
    private readonly Option<string?> _out;
    private readonly Option<string> _init;
    private readonly Option<bool> _resume;
    private readonly Option<float> _inputDropout = new("--input-dropout") { Description = "Variational dropout on each layer's inputs, one mask per sequence, while training (Keras' dropout)", DefaultValueFactory = _ => 0f };
    private readonly Option<float> _recurrentDropout = new("--recurrent-dropout") { Description = "Variational dropout on h(t-1) inside the recurrent projection, one mask per sequence, while training (Keras' recurrent_dropout)", DefaultValueFactory = _ => 0f };
    private readonly Option<bool> _layerNorm = new("--layer-norm") { Description = "Layer-normalised LSTM or GRU cells (Ba et al. 2016)" };
    private readonly Option<float> _zoneout = new("--zoneout") { Description = "Zoneout rate on h (and an LSTM's c): each unit keeps its previous value with this probability at each step while training (Krueger et al. 2017)", DefaultValueFactory = _ => 0f };
    private readonly bool _variants;

    /// <summary>Options that do not change what a run computes: a resumed run may set them differently.</summary>
    private static readonly HashSet<string> NotInFingerprint = new(StringComparer.Ordinal) { "--resume", "--quiet", "--threads", "--out" };

    /// <param name="command">The command to add the options to.</param>
    /// <param name="d">The task's defaults.</param>
    /// <param name="task">The task's name (default output directory).</param>
    /// <param name="epochsHelp">Help for --epochs when it has no default value.</param>
    /// <param name="resumable">The command trains through Fit with a backup: it takes --resume.</param>
    /// <param name="variants">The command's model is one recurrent stack built by <c>Network.Recurrent</c>: it takes the cell options.</param>
    public CommonOptions(Command command, TaskDefaults d, string task, string? epochsHelp = null, bool resumable = false, bool variants = false)
    {
        _cell = new Option<string>("--cell") { Description = "Recurrent cell: lstm, gru or rnn (SimpleRNN)", DefaultValueFactory = _ => d.Cell, HelpName = "lstm|gru|rnn" };
        _cell.AcceptOnlyFromAmong("lstm", "gru", "rnn");
        _units = new Option<int>("--units") { Description = "Hidden units per direction", DefaultValueFactory = _ => d.Units };
        _layers = new Option<int>("--layers") { Description = "Stacked recurrent layers", DefaultValueFactory = _ => d.Layers };
        _bidirectional = new Option<bool>("--bidirectional") { Description = "Read sequences in both directions (--bidirectional false to turn off)", DefaultValueFactory = _ => d.Bidirectional };
        _epochs = epochsHelp is null
            ? new Option<int>("--epochs") { Description = "Most passes over the training data (training stops early when validation stops improving)", DefaultValueFactory = _ => d.Epochs }
            : new Option<int>("--epochs") { Description = $"Passes over the training data (default {epochsHelp})" };
        _batch = new Option<int>("--batch") { Description = "Samples per update", DefaultValueFactory = _ => d.Batch };
        _lr = new Option<float>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => d.LearningRate };
        _clip = new Option<float>("--clip") { Description = "Clip the global gradient norm to this (0: off)", DefaultValueFactory = _ => d.Clip };
        _seed = new Option<ulong>("--seed") { Description = "Seed for weights, shuffling and data splits", DefaultValueFactory = _ => d.Seed };
        _threads = new Option<int?>("--threads") { Description = "Use at most this many processors (default: all)" };
        _quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the summary" };
        _out = new Option<string?>("--out", "-o") { Description = $"Output directory (default runs/{task}-<timestamp>)", HelpName = "DIR" };
        _init = new Option<string>("--init") { Description = "Recurrent weight initialisation: keras (Glorot, orthogonal, forget bias 1) or pytorch (uniform ±1/√units)", DefaultValueFactory = _ => "keras", HelpName = "keras|pytorch" };
        _init.AcceptOnlyFromAmong("keras", "pytorch");
        _resume = new Option<bool>("--resume") { Description = "Continue the run in --out DIR that was interrupted (killed, crashed, out of power) from its last epoch: same options, same result as an uninterrupted run" };
        foreach (var o in new Option[] { _cell, _units, _layers, _bidirectional, _init, _epochs, _batch, _lr, _clip, _seed, _threads, _quiet, _out })
            command.Add(o);
        if (resumable) command.Add(_resume);
        _variants = variants;
        if (variants)
            foreach (var o in new Option[] { _inputDropout, _recurrentDropout, _layerNorm, _zoneout })
                command.Add(o);
    }

    public TrainSettings Read(ParseResult r)
    {
        var s = new TrainSettings(r.GetValue(_cell)!, r.GetValue(_units), r.GetValue(_layers), r.GetValue(_bidirectional),
            r.GetValue(_epochs), r.GetValue(_batch), r.GetValue(_lr), r.GetValue(_clip), r.GetValue(_seed),
            r.GetValue(_threads), r.GetValue(_quiet), r.GetValue(_out), r.GetValue(_init)!, r.GetResult(_resume) is not null && r.GetValue(_resume));
        Positive("--units", s.Units);
        Positive("--layers", s.Layers);
        if (s.Epochs != 0 || r.GetResult(_epochs) is { Implicit: false }) Positive("--epochs", s.Epochs);
        Positive("--batch", s.Batch);
        if (!(s.LearningRate > 0 && float.IsFinite(s.LearningRate)))
            throw new InputException($"--lr is {Text(s.LearningRate)}; expected a positive number.");
        if (!(s.Clip >= 0 && float.IsFinite(s.Clip)))
            throw new InputException($"--clip is {Text(s.Clip)}; expected a number ≥ 0 (0 turns clipping off).");
        if (s.Threads is { } t && t < 1) throw new InputException($"--threads is {t}; expected at least 1.");
        return _variants ? s with { Variants = ReadVariants(r, s.Cell) } : s;
    }

    private CellVariants ReadVariants(ParseResult r, string cell)
    {
        var v = new CellVariants(r.GetValue(_inputDropout), r.GetValue(_recurrentDropout), r.GetValue(_layerNorm), r.GetValue(_zoneout));
        Rate("--input-dropout", v.InputDropout);
        Rate("--recurrent-dropout", v.RecurrentDropout);
        Rate("--zoneout", v.Zoneout);
        if (v.LayerNorm && cell == "rnn") throw new InputException("--layer-norm needs --cell lstm or gru; got --cell rnn.");
        return v;
    }

    private static void Rate(string option, float rate)
    {
        if (!(rate >= 0 && rate < 1)) throw new InputException($"{option} is {FloatText(rate)}; expected a value in [0, 1).");
    }

    /// <summary>
    /// The command and every option as given (except those that do not change the result), e.g.
    /// <c>classify --batch=16 --epochs=3</c>: a backup written under other settings is not resumed.
    /// </summary>
    public static string Fingerprint(ParseResult r)
    {
        var options = r.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>()
            .Where(o => !o.Implicit && !NotInFingerprint.Contains(o.Option.Name))
            .Select(o => $"{o.Option.Name}={string.Join(",", o.Tokens.Select(t => t.Value))}")
            .Order(StringComparer.Ordinal);
        var command = new List<string>();
        for (var c = r.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
            if (c.Command is not RootCommand) command.Insert(0, c.Command.Name);
        return string.Join(" ", command.Concat(options));
    }

    public static void Positive(string option, long value)
    {
        if (value < 1) throw new InputException($"{option} is {value}; expected at least 1.");
    }

    public static string Text(double v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>A float as typed (0.1, not the 0.10000000149 of its double).</summary>
    public static string FloatText(float v) => v.ToString(CultureInfo.InvariantCulture);
}
