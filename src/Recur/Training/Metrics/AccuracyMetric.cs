using Recur.Layers;

namespace Recur.Training;

/// <summary>Accuracy: argmax over a class axis against class ids, or thresholded single outputs.</summary>
internal sealed class AccuracyMetric(string name, bool binary) : Metric
{
    private long _correct, _count;

    public override string Name => name;

    public override void Reset() => (_correct, _count) = (0, 0);

    public override void Update(Tensor prediction, Tensor target, SequenceMask? mask)
    {
        var p = prediction.Span;
        var y = target.Span;
        int B = prediction.Size(0);
        bool classAxis = !binary && target.Rank == prediction.Rank - 1;
        int width = classAxis ? prediction.Size(-1) : 1;
        int positions = target.Length;
        int perSample = B == 0 ? 0 : positions / B;
        for (int i = 0; i < positions; i++)
        {
            if (!IsReal(mask, i, perSample)) continue;
            bool hit;
            if (classAxis)
            {
                var row = p.Slice(i * width, width);
                int best = 0;
                for (int j = 1; j < width; j++) if (row[j] > row[best]) best = j;
                hit = best == (int)y[i];
            }
            else
            {
                hit = (p[i] > 0.5f) == (y[i] > 0.5f);
            }
            if (hit) _correct++;
            _count++;
        }
    }

    public override double Result() => _count == 0 ? 0 : (double)_correct / _count;
}
