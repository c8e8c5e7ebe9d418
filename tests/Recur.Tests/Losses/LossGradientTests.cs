using Recur.Layers;
using Recur.Losses;
using Recur.Tests.Testing;

namespace Recur.Tests.Losses;

/// <summary>Finite-difference checks of every loss, plain, masked and sample-weighted.</summary>
public class LossGradientTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var loss in new[] { "mse", "mae", "huber", "bce_logits", "bce_probs", "scce_logits", "scce_probs" })
            foreach (var weighting in new[] { "none", "mask", "weight_b", "weight_bt", "mask_and_weight" })
                data.Add(loss, weighting);
        return data;
    }

    private static Loss Make(string loss) => loss switch
    {
        "mse" => Loss.MeanSquaredError(),
        "mae" => Loss.MeanAbsoluteError(),
        "huber" => Loss.Huber(0.5f),
        "bce_logits" => Loss.BinaryCrossEntropy(fromLogits: true),
        "bce_probs" => Loss.BinaryCrossEntropy(fromLogits: false),
        "scce_logits" => Loss.SparseCategoricalCrossEntropy(fromLogits: true),
        "scce_probs" => Loss.SparseCategoricalCrossEntropy(fromLogits: false),
        _ => throw new ArgumentException(loss),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradient_matches_finite_differences(string lossName, string weighting)
    {
        const int b = 3, t = 4, f = 3;
        var r = new SeededRandom(lossName.Length * 31 + weighting.Length);
        var loss = Make(lossName);
        bool sparse = lossName.StartsWith("scce");
        var prediction = Tensor.Zeros(b, t, f);
        var target = sparse ? Tensor.Zeros(b, t) : Tensor.Zeros(b, t, f);
        for (int i = 0; i < prediction.Length; i++)
            prediction.Span[i] = lossName switch
            {
                "bce_probs" => r.Uniform(0.05f, 0.95f),
                "scce_probs" => r.Uniform(0.05f, 1f),
                _ => r.Uniform(-2f, 2f),
            };
        for (int i = 0; i < target.Length; i++)
            target.Span[i] = sparse ? r.NextInt(f) : lossName.StartsWith("bce") ? r.NextFloat() : r.Uniform(-2f, 2f);

        SequenceMask? mask = weighting.Contains("mask") ? SequenceMask.FromLengths(new[] { 4, 2, 1 }, t) : null;
        Tensor? weight = weighting switch
        {
            "weight_b" => Tensor.FromArray(new[] { 0.5f, 2f, 1.5f }, b),
            "weight_bt" or "mask_and_weight" => GradientCheck.RandomTensor(r, 1f, b, t),
            _ => null,
        };

        var result = loss.Compute(prediction, target, mask, weight);
        Assert.Equal(prediction.ShapeArray, result.Gradient.ShapeArray);
        Assert.True(double.IsFinite(result.Value) && result.Value != 0);
        GradientCheck.Check($"{lossName}/{weighting}", prediction.Data, result.Gradient.Span,
            () => loss.Compute(prediction, target, mask, weight).Value, eps: 1e-3f, atol: 2e-4, rtol: 1e-2);

        if (mask is not null)
            for (int i = 0; i < b; i++)
                for (int s = 0; s < t; s++)
                    if (!mask[i, s])
                        for (int k = 0; k < f; k++) Assert.Equal(0f, result.Gradient[i, s, k]);
    }
}
