using Recur.Layers.Recurrent;
using Recur.Optimizers;

namespace Recur.Bench;

/// <summary>
/// The recurrent cases of the performance issue, shared with bench/torch_bench.py (same names,
/// same shapes). A training step is forward + backward of a sum loss over every output + an SGD
/// update, with the input as data (no input gradient, as PyTorch does for a tensor without
/// requires_grad); the streaming case is a forward pass of batch 1 (reported per sequence of T steps).
/// The <c>*_medium_&lt;option&gt;_train</c> cases are the medium shape with one cell option on
/// (<see cref="Variant"/>), to read the option's cost against the plain medium case; they have no
/// PyTorch counterpart (PyTorch has no layer-normalised, dropped or zoned-out cell) and their
/// FLOP count is the plain cell's, so their GFLOP/s is a ratio to it, not a hardware figure.
/// </summary>
/// <param name="Variant">The options on top of the plain cell: "", "layernorm", "dropout", "zoneout" or "proj".</param>
internal sealed record LayerCase(string Name, string Cell, int B, int T, int I, int H, bool Train, string Variant = "")
{
    public static readonly LayerCase[] All =
    {
        new("lstm_small_train", "lstm", 32, 50, 32, 128, true),
        new("lstm_medium_train", "lstm", 64, 100, 128, 256, true),
        new("lstm_large_train", "lstm", 64, 100, 512, 512, true),
        new("gru_medium_train", "gru", 64, 100, 128, 256, true),
        new("rnn_medium_train", "rnn_tanh", 64, 100, 128, 256, true),
        new("lstm_stream_step", "lstm", 1, 100, 32, 128, false),
        new("lstm_medium_layernorm_train", "lstm", 64, 100, 128, 256, true, "layernorm"),
        new("gru_medium_layernorm_train", "gru", 64, 100, 128, 256, true, "layernorm"),
        new("lstm_medium_dropout_train", "lstm", 64, 100, 128, 256, true, "dropout"),
        new("gru_medium_dropout_train", "gru", 64, 100, 128, 256, true, "dropout"),
        new("lstm_medium_zoneout_train", "lstm", 64, 100, 128, 256, true, "zoneout"),
        new("gru_medium_zoneout_train", "gru", 64, 100, 128, 256, true, "zoneout"),
        new("lstm_medium_proj_train", "lstm", 64, 100, 128, 256, true, "proj"),
    };

    /// <summary>
    /// A named case, or a shape given as <c>cell:B:T:I:H:train|infer</c> (e.g. <c>lstm:64:50:128:256:train</c>;
    /// bench/sweep.sh and bench/torch_bench.py read the same form).
    /// </summary>
    public static LayerCase Find(string name)
    {
        if (All.FirstOrDefault(c => c.Name == name) is { } named) return named;
        var f = name.Split(':');
        if (f.Length != 6 || f[0] is not ("lstm" or "gru" or "rnn_tanh") || f[5] is not ("train" or "infer")
            || !f[1..5].All(v => int.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out int n) && n > 0))
            throw new ArgumentException($"No case named '{name}'; expected one of {string.Join(", ", All.Select(c => c.Name))} or cell:B:T:I:H:train|infer with cell lstm, gru or rnn_tanh and positive sizes.", nameof(name));
        int At(int i) => int.Parse(f[i], System.Globalization.CultureInfo.InvariantCulture);
        return new LayerCase(name, f[0], At(1), At(2), At(3), At(4), f[5] == "train");
    }

    /// <summary>The layer's options: the plain cell's with <see cref="Variant"/> on (rates as Keras users commonly set them).</summary>
    public RecurrentOptions Options()
    {
        var plain = new RecurrentOptions { ReturnSequences = true, Initialization = RecurrentInit.PyTorch };
        return Variant switch
        {
            "" => plain,
            "layernorm" => plain with { LayerNorm = true },
            "dropout" => plain with { InputDropout = 0.25f, RecurrentDropout = 0.25f },
            "zoneout" => plain with { ZoneoutHidden = 0.1f, ZoneoutCell = Cell == "lstm" ? 0.1f : 0f },
            "proj" => plain with { ProjectionSize = H / 2 },
            _ => throw new ArgumentException($"Unknown variant '{Variant}'.", nameof(Variant)),
        };
    }

    public int Gates => Cell switch { "lstm" => 4, "gru" => 3, _ => 1 };

    /// <summary>Multiply-add FLOPs: forward 2·T·B·G·H·(I+H); a training step ≈ 3× forward (dX, dW and dh each cost one forward).</summary>
    public double Flops => 2.0 * T * B * Gates * H * (I + H) * (Train ? 3 : 1);

    public string Shape => $"B{B} T{T} I{I} H{H}";

    public override string ToString() => Name;

    /// <summary>
    /// A layer, input and loss gradient built for this case; <see cref="LayerStep.Run"/> is one
    /// training step (or one streaming forward pass).
    /// </summary>
    public LayerStep Build() => new(this);
}

/// <summary>One case's layer and data (see <see cref="LayerCase.Build"/>).</summary>
internal sealed class LayerStep
{
    private readonly LayerCase _case;
    private readonly RecurrentLayer _layer;
    private readonly Tensor _x, _ones;
    private readonly Sgd _sgd = new(1e-6f);

    public LayerStep(LayerCase c)
    {
        _case = c;
        var options = c.Options();
        _layer = c.Cell switch
        {
            "lstm" => new Lstm(c.H, options),
            "gru" => new Gru(c.H, options),
            _ => new SimpleRnn(c.H, options),
        };
        _layer.Build(new[] { c.T, c.I }, new SeededRandom(1));
        var random = new SeededRandom(2);
        _x = Tensor.Zeros(c.B, c.T, c.I);
        for (int i = 0; i < _x.Length; i++) _x.Span[i] = random.Normal();
        _ones = Tensor.Full(1f, c.B, c.T, _layer.OutputWidth);   // ∂(Σ output)/∂output
    }

    /// <summary>Forward, and for a training case backward of Σ output and an SGD update.</summary>
    public void Run()
    {
        var result = _layer.ForwardWithState(_x, training: _case.Train);
        if (!_case.Train) return;
        _layer.ZeroGrad();
        _layer.BackwardWithState(_ones, inputGradient: false); // x is data, as torch.randn without requires_grad
        _sgd.Step(_layer.Parameters);
        GC.KeepAlive(result);
    }
}
