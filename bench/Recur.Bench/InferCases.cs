using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;

namespace Recur.Bench;

/// <summary>
/// The inference cases against ONNX Runtime: one recurrent layer returning every step (and its
/// final states), float32, the same weights on both sides (Recur's model exported by Recur.Onnx).
/// A masked case has right-padded rows of seeded lengths in [T/2, T], given to Recur as a mask and
/// to ONNX Runtime as the <c>lengths</c> input. An <c>_int8</c> case runs the same layer quantised
/// (<see cref="Model.Quantize"/>) in Recur; ONNX Runtime, its peer, runs the float32 export.
/// </summary>
internal sealed record InferCase(string Name, string Cell, int B, int T, int I, int H, bool Bidirectional, bool Masked, bool Int8 = false)
{
    public static readonly InferCase[] All =
    {
        new("lstm_stream_infer", "lstm", 1, 100, 32, 128, false, false),
        new("lstm_medium_infer", "lstm", 64, 100, 128, 256, false, false),
        new("gru_medium_infer", "gru", 64, 100, 128, 256, false, false),
        new("lstm_large_infer", "lstm", 64, 100, 512, 512, false, false),
        new("bilstm_masked_infer", "lstm", 64, 100, 128, 256, true, true),
        new("lstm_stream_infer_int8", "lstm", 1, 100, 32, 128, false, false, Int8: true),
        new("lstm_medium_infer_int8", "lstm", 64, 100, 128, 256, false, false, Int8: true),
        new("gru_medium_infer_int8", "gru", 64, 100, 128, 256, false, false, Int8: true),
        new("lstm_large_infer_int8", "lstm", 64, 100, 512, 512, false, false, Int8: true),
    };

    public int Gates => Cell == "lstm" ? 4 : 3;

    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Multiply-add FLOPs of the forward pass over every step, padded ones included: 2·T·B·G·H·(I+H)·D (int8 operations for an int8 case).</summary>
    public double Flops => 2.0 * T * B * Gates * H * (I + H) * Directions;

    public string Shape => $"B{B} T{T} I{I} H{H}" + (Bidirectional ? " bi" : "") + (Masked ? " masked" : "");

    /// <summary>The layer (in a one-layer model, built), its input and its lengths (null when unmasked).</summary>
    public (Sequential Model, RecurrentLayer Layer, Tensor X, int[]? Lengths) Build()
    {
        var options = new RecurrentOptions { ReturnSequences = true, Bidirectional = Bidirectional, Initialization = RecurrentInit.PyTorch };
        RecurrentLayer layer = Cell == "lstm" ? new Lstm(H, options, name: "rnn") : new Gru(H, options, name: "rnn");
        var model = new Sequential(seed: 1, layer);
        model.Build(-1, I);
        var random = new SeededRandom(2);
        var x = Tensor.Zeros(B, T, I);
        for (int i = 0; i < x.Length; i++) x.Span[i] = random.Normal();
        int[]? lengths = null;
        if (Masked)
        {
            lengths = new int[B];
            for (int b = 0; b < B; b++) lengths[b] = T / 2 + random.NextInt(T - T / 2 + 1);
            for (int b = 0; b < B; b++) x.Span.Slice((b * T + lengths[b]) * I, (T - lengths[b]) * I).Clear();
        }
        return (model, layer, x, lengths);
    }

    public static InferCase Find(string name)
        => All.SingleOrDefault(c => c.Name == name)
           ?? throw new ArgumentException($"No inference case named '{name}'; cases: {string.Join(", ", All.Select(c => c.Name))}.");
}
