using Recur.Layers;

namespace Recur.Training;

/// <summary>Mean absolute error, or root mean squared error, over every unmasked element.</summary>
internal sealed class ErrorMetric(string name, bool squared) : Metric
{
    private double _sum;
    private long _count;

    public override string Name => name;

    public override void Reset() => (_sum, _count) = (0, 0);

    public override void Update(Tensor prediction, Tensor target, SequenceMask? mask)
    {
        if (!prediction.SameShape(target.Shape))
            throw new ArgumentException($"Metric '{Name}': prediction {Tensor.ShapeString(prediction.Shape)} and target {Tensor.ShapeString(target.Shape)} differ.", nameof(target));
        int B = prediction.Size(0);
        int perSample = B == 0 ? 0 : prediction.Length / B;
        // A (B, T) mask applies when each sample's values split into T steps of equal width
        // (B, T, …); otherwise (per-sample values beside a step mask) every value counts.
        bool stepwise = mask is not null && mask.Steps > 0 && perSample % mask.Steps == 0;
        int width = stepwise ? perSample / mask!.Steps : 1;
        var p = prediction.Span;
        var y = target.Span;
        for (int i = 0; i < p.Length; i++)
        {
            if (stepwise && !mask![i / perSample, i % perSample / width]) continue;
            double e = (double)p[i] - y[i];
            _sum += squared ? e * e : Math.Abs(e);
            _count++;
        }
    }

    public override double Result() => _count == 0 ? 0 : squared ? Math.Sqrt(_sum / _count) : _sum / _count;
}
