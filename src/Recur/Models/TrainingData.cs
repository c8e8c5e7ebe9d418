using Recur.Layers;

namespace Recur.Models;

/// <summary>Validated inputs, targets, optional mask and weights, sliceable into batches.</summary>
internal sealed class TrainingData
{
    private TrainingData(Tensor x, Tensor y, SequenceMask? mask, Tensor? weights)
    {
        X = x;
        Y = y;
        Mask = mask;
        Weights = weights;
    }

    public Tensor X { get; }           // (N, …)
    public Tensor Y { get; private set; } // (N, …)
    public SequenceMask? Mask { get; } // (N, T)
    public Tensor? Weights { get; private set; } // (N) or (N, T)
    public int Count => X.Size(0);

    /// <summary>Checks what training needs before any work: same sample count, non-empty, finite values, matching mask and weights.</summary>
    public static TrainingData Create(Tensor x, Tensor y, SequenceMask? mask, Tensor? sampleWeight, string xName, string yName)
    {
        ArgumentNullException.ThrowIfNull(x, xName);
        ArgumentNullException.ThrowIfNull(y, yName);
        if (x.Rank < 2) throw new ArgumentException($"{xName} has shape {Tensor.ShapeString(x.Shape)}; expected (samples, …) with at least one feature axis.", xName);
        if (y.Rank < 1) throw new ArgumentException($"{yName} is a scalar; expected (samples, …).", yName);
        int n = x.Size(0);
        if (n == 0) throw new ArgumentException($"{xName} has no samples (shape {Tensor.ShapeString(x.Shape)}).", xName);
        if (y.Size(0) != n)
            throw new ArgumentException($"{xName} has {n} samples but {yName} has {y.Size(0)}.", yName);
        x.ThrowIfNonFinite(xName);
        y.ThrowIfNonFinite(yName);
        mask?.RequireShape(n, x.Size(1), "mask");
        if (sampleWeight is not null)
        {
            bool ok = (sampleWeight.Rank == 1 && sampleWeight.Size(0) == n)
                      || (sampleWeight.Rank == 2 && sampleWeight.Size(0) == n && y.Rank >= 2 && sampleWeight.Size(1) == y.Size(1));
            if (!ok)
                throw new ArgumentException($"sampleWeight has shape {Tensor.ShapeString(sampleWeight.Shape)}; expected ({n}) or ({n}, T) matching {yName}.", nameof(sampleWeight));
            sampleWeight.ThrowIfNonFinite(nameof(sampleWeight));
            foreach (float w in sampleWeight.Span)
                if (w < 0) throw new ArgumentException($"sampleWeight has a negative weight {w}; expected weights ≥ 0.", nameof(sampleWeight));
        }
        return new TrainingData(x, y, mask, sampleWeight);
    }

    /// <summary>Multiplies the sample weights by the weight of each sample's class (class ids in y).</summary>
    public void ApplyClassWeights(IReadOnlyDictionary<int, float>? classWeight)
    {
        if (classWeight is null) return;
        foreach (var (c, w) in classWeight)
            if (!(w >= 0) || float.IsInfinity(w))
                throw new ArgumentException($"classWeight[{c}] is {w}; expected a finite weight ≥ 0.", nameof(classWeight));
        // Targets (N) or (N, 1): one label per sample; (N, T): one per step.
        bool perStep = Y.Rank == 2 && Y.Size(1) > 1;
        int n = Count, steps = perStep ? Y.Size(1) : 1;
        if (Y.Length != n * steps)
            throw new ArgumentException($"classWeight needs one class id per sample or per step; y has shape {Tensor.ShapeString(Y.Shape)}.", nameof(classWeight));
        var weights = perStep ? Tensor.Full(1f, n, steps) : Tensor.Full(1f, n);
        for (int i = 0; i < Y.Length; i++)
        {
            float label = Y.Span[i];
            int c = (int)label;
            if (c != label || !classWeight.TryGetValue(c, out var w))
                throw new ArgumentException($"classWeight has no entry for class {label} (y at flat index {i}); it has: {string.Join(", ", classWeight.Keys)}.", nameof(classWeight));
            weights.Span[i] = w;
        }
        if (Weights is not null)
        {
            if (Weights.Rank != weights.Rank)
                throw new ArgumentException($"sampleWeight {Tensor.ShapeString(Weights.Shape)} and classWeight (per {(perStep ? "step" : "sample")}) do not combine.", nameof(classWeight));
            for (int i = 0; i < weights.Length; i++) weights.Span[i] *= Weights.Span[i];
        }
        Weights = weights;
    }

    /// <summary>Validates the targets against the model output and reshapes (N)↔(N, 1) as the loss expects.</summary>
    /// Targets at steps the <paramref name="mask"/> marks as padding are not checked.
    public void AlignTargets(Losses.Loss loss, int[] perSampleOutput, string yName, SequenceMask? mask)
        => Y = loss.AlignTargets(Y, perSampleOutput, yName, mask);

    public TrainingData Slice(ReadOnlySpan<int> rows)
        => new(Batches.Take(X, rows), Batches.Take(Y, rows), Batches.Take(Mask, rows), Weights is null ? null : Batches.Take(Weights, rows));
}
