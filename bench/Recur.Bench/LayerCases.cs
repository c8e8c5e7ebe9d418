namespace Recur.Bench;

/// <summary>
/// The recurrent cases of the performance issue, shared with bench/torch_bench.py (same names,
/// same shapes). A training step is forward + backward of a sum loss over every output + an SGD
/// update, with the input as data (no input gradient, as PyTorch does for a tensor without
/// requires_grad); the streaming case is a forward pass of batch 1 (reported per sequence of T steps).
/// </summary>
internal sealed record LayerCase(string Name, string Cell, int B, int T, int I, int H, bool Train)
{
    public static readonly LayerCase[] All =
    {
        new("lstm_small_train", "lstm", 32, 50, 32, 128, true),
        new("lstm_medium_train", "lstm", 64, 100, 128, 256, true),
        new("lstm_large_train", "lstm", 64, 100, 512, 512, true),
        new("gru_medium_train", "gru", 64, 100, 128, 256, true),
        new("rnn_medium_train", "rnn_tanh", 64, 100, 128, 256, true),
        new("lstm_stream_step", "lstm", 1, 100, 32, 128, false),
    };

    public int Gates => Cell switch { "lstm" => 4, "gru" => 3, _ => 1 };

    /// <summary>Multiply-add FLOPs: forward 2·T·B·G·H·(I+H); a training step ≈ 3× forward (dX, dW and dh each cost one forward).</summary>
    public double Flops => 2.0 * T * B * Gates * H * (I + H) * (Train ? 3 : 1);

    public string Shape => $"B{B} T{T} I{I} H{H}";
}
