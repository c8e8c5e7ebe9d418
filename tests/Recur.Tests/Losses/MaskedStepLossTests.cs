using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tests.Testing;

namespace Recur.Tests.Losses;

// Shapes: B batch, T padded steps, L_b real steps of sample b, C classes.

/// <summary>
/// A per-step loss over a padded, masked batch equals the losses of the sequences trimmed to
/// their real steps, combined by hand: Σ_b L_b · loss(trimmed_b) / Σ_b L_b (the mean over real
/// steps), and its gradient is each trimmed gradient scaled by L_b / Σ L_b, zero on padding.
/// </summary>
public class MaskedStepLossTests
{
    private static readonly int[] Lengths = { 5, 2, 4, 1 };
    private const int T = 5, C = 3;

    public static TheoryData<string> Losses() => new() { "mse", "mae", "huber", "bce_logits", "bce", "scce" };

    private static Loss Create(string name) => name switch
    {
        "mse" => Loss.MeanSquaredError(),
        "mae" => Loss.MeanAbsoluteError(),
        "huber" => Loss.Huber(0.5f),
        "bce_logits" => Loss.BinaryCrossEntropy(fromLogits: true),
        "bce" => Loss.BinaryCrossEntropy(),
        _ => Loss.SparseCategoricalCrossEntropy(fromLogits: true),
    };

    [Theory]
    [MemberData(nameof(Losses))]
    public void Masked_loss_equals_trimmed_losses_combined_by_hand(string name)
    {
        var loss = Create(name);
        bool sparse = name == "scce", probabilities = name == "bce";
        int B = Lengths.Length, width = sparse ? C : 2; // values per step
        var r = new SeededRandom(31);
        var prediction = GradientCheck.RandomTensor(r, 2f, B, T, width);
        if (probabilities) for (int i = 0; i < prediction.Length; i++) prediction.Span[i] = 0.05f + 0.9f * (prediction.Span[i] + 2f) / 4f;
        var target = sparse ? Tensor.Zeros(B, T) : Tensor.Zeros(B, T, width);
        for (int i = 0; i < target.Length; i++)
            target.Span[i] = sparse ? r.NextInt(C) : name.StartsWith("bce") ? r.NextInt(2) : r.Uniform(-1f, 1f);
        // Padding holds values a real step could not: they must be ignored, not validated.
        int perStep = sparse ? 1 : width;
        for (int b = 0; b < B; b++)
            for (int k = Lengths[b] * perStep; k < T * perStep; k++) target.Span[b * T * perStep + k] = 99f;
        var mask = SequenceMask.FromLengths(Lengths, T);

        var masked = loss.Compute(prediction, target, mask);

        double total = 0;
        int steps = Lengths.Sum();
        for (int b = 0; b < B; b++)
        {
            int n = Lengths[b];
            var p = Tensor.FromArray(prediction.Span.Slice(b * T * width, n * width), 1, n, width);
            var y = sparse ? Tensor.FromArray(target.Span.Slice(b * T, n), 1, n) : Tensor.FromArray(target.Span.Slice(b * T * width, n * width), 1, n, width);
            var alone = loss.Compute(p, y);
            total += alone.Value * n;
            for (int k = 0; k < T * width; k++)
            {
                float g = masked.Gradient.Span[b * T * width + k];
                if (k >= n * width) Assert.Equal(0f, g);
                else Assert.Equal(alone.Gradient.Span[k] * n / steps, g, 1e-6f);
            }
        }
        Assert.Equal(total / steps, masked.Value, 1e-9);
    }

    [Fact]
    public void A_model_evaluated_on_padded_batches_equals_its_trimmed_sequences_combined_by_hand()
    {
        var (x, _, lengths) = Models.ToyData.PaddedTokens(7, 6, vocab: 5, seed: 13);
        var y = Tensor.Zeros(7, 6);
        for (int i = 0; i < 7; i++)
            for (int t = 0; t < 6; t++) y[i, t] = t < lengths[i] ? x[i, t] % 3 : 99f;
        var model = new Sequential(14, new Embedding(5, 4, maskZero: true), new Lstm(6, returnSequences: true), new Dense(3));
        model.Compile(new Adam(0.01f), Loss.SparseCategoricalCrossEntropy(fromLogits: true));

        double padded = model.Evaluate(x, y, batchSize: 7)["loss"];

        // −log softmax by hand, in double, on each sequence alone.
        double sum = 0;
        for (int i = 0; i < 7; i++)
        {
            var logits = model.Predict(Tensor.FromArray(x.Span.Slice(i * 6, lengths[i]), 1, lengths[i]));
            for (int t = 0; t < lengths[i]; t++)
            {
                double max = double.NegativeInfinity, z = 0;
                for (int c = 0; c < 3; c++) max = Math.Max(max, logits[0, t, c]);
                for (int c = 0; c < 3; c++) z += Math.Exp(logits[0, t, c] - max);
                sum -= logits[0, t, (int)y[i, t]] - max - Math.Log(z);
            }
        }
        Assert.Equal(sum / lengths.Sum(), padded, 1e-5);
    }
}
