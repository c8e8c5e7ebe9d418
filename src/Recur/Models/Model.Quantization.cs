using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Serialization;

namespace Recur.Models;

public abstract partial class Model
{
    /// <summary>
    /// True for a model made by <see cref="Quantize"/> (or loaded from its file): its LSTM, GRU,
    /// SimpleRNN and Dense weights run in int8, and it is for inference only.
    /// </summary>
    public bool IsQuantized { get; private set; }

    /// <summary>
    /// Returns an int8 copy of this model for inference, by dynamic quantisation (the scheme of
    /// PyTorch's <c>torch.quantization.quantize_dynamic(model, {nn.LSTM, nn.GRU, nn.Linear}, dtype=torch.qint8)</c>,
    /// which also returns a copy). This model is left as it is.
    /// </summary>
    /// <remarks>
    /// <para>In the copy, the weights W_ih (GH, I) and W_hh (GH, H) of every LSTM, GRU and
    /// SimpleRNN layer (all stacked layers and directions) and W (U, F) of every Dense layer
    /// (inside <see cref="TimeDistributed"/> and <see cref="Bidirectional"/> too) are quantised once
    /// to int8, symmetric per output row. When the model runs, each input row, and the state
    /// h_{t−1} at each step, is quantised per row to u8 with a zero point, the products are summed
    /// in int32 (AVX-VNNI where the CPU has it) and scaled back to float32. Biases, gates, states,
    /// embeddings and every other layer stay float32. Layer-normalised and projected LSTMs stay
    /// float32, as modules PyTorch has no dynamic int8 form for do.</para>
    /// <para>Use the copy with <see cref="Predict(Tensor, int, SequenceMask?)"/>, <c>Evaluate</c>,
    /// <c>Infer</c> and streaming; <c>Fit</c>, <c>TrainOnBatch</c> and backward passes are refused
    /// (train the float32 model and quantise again). <see cref="Save"/> writes the float32 weights
    /// with a mark, and <see cref="Load"/> quantises them again: the same int8 weights.</para>
    /// <para>Stateful layers stay stateful in the copy, starting from zero states.</para>
    /// <para>Outputs differ from float32 by the rounding of the codes: about 1 % of a weight row's
    /// largest magnitude per product, and a classifier's decisions rarely change (see docs/RESULTS.md).</para>
    /// </remarks>
    /// <exception cref="InvalidOperationException">The model is not built, or is already quantised.</exception>
    /// <example>
    /// <code>
    /// Model int8 = model.Quantize();
    /// Tensor p = int8.Predict(x);   // as model.Predict(x), within the int8 rounding
    /// </code>
    /// </example>
    public Model Quantize()
    {
        if (!IsBuilt) throw new InvalidOperationException($"Model '{Name}' is not built: build it (or fit it) before quantising it.");
        if (IsQuantized) throw new InvalidOperationException($"Model '{Name}' is already quantised to int8.");
        var copy = ModelFile.Copy(this);
        // Statefulness is a setting of the running model, not of its file: the copy streams as this model does (from zeros).
        foreach (var (mine, its) in RecurrentLayers.Zip(copy.RecurrentLayers))
            if (mine.Stateful) its.Stateful = true;
        copy.QuantizeInPlace();
        return copy;
    }

    /// <summary>Quantises every layer that has an int8 form (see <see cref="Quantize"/>), in place.</summary>
    internal void QuantizeInPlace()
    {
        foreach (var layer in Layers.SelectMany(Layer.SelfAndInner))
        {
            layer.DiscardPendingCalls();
            if (layer is RecurrentLayer recurrent) recurrent.Quantize();
            else if (layer is Dense dense) dense.Quantize();
        }
        IsQuantized = true;
    }

    /// <summary>Refuses training on a quantised model, naming what to do instead.</summary>
    private void RequireTrainable(string operation)
    {
        if (IsQuantized)
            throw new InvalidOperationException(
                $"Model '{Name}' is quantised to int8 for inference only (Predict, Evaluate); {operation} trains the float32 model: train the model Quantize() was called on and quantise it again.");
    }
}
