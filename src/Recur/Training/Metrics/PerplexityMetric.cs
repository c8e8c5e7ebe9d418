using Recur.Layers;

namespace Recur.Training;

/// <summary>exp(−mean log p(target)) from class probabilities (B, C) or (B, T, C) and class ids.</summary>
internal sealed class PerplexityMetric : Metric
{
    private double _nll;
    private long _count;

    public override string Name => "perplexity";

    public override void Reset() => (_nll, _count) = (0, 0);

    public override void Update(Tensor prediction, Tensor target, SequenceMask? mask)
    {
        if (target.Rank != prediction.Rank - 1)
            throw new ArgumentException($"Perplexity needs class probabilities (…, C) and class ids (…); got {Tensor.ShapeString(prediction.Shape)} and {Tensor.ShapeString(target.Shape)}.", nameof(target));
        int C = prediction.Size(-1), B = prediction.Size(0);
        int perSample = B == 0 ? 0 : target.Length / B;
        var p = prediction.Span;
        var y = target.Span;
        for (int i = 0; i < target.Length; i++)
        {
            if (!IsReal(mask, i, perSample)) continue;
            float prob = p[i * C + (int)y[i]];
            _nll -= Math.Log(Math.Max(prob, 1e-30));
            _count++;
        }
    }

    public override double Result() => _count == 0 ? double.NaN : Math.Exp(_nll / _count);
}
