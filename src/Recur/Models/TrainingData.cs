using Recur.Layers;

namespace Recur.Models;

/// <summary>Validated inputs, targets, optional mask and weights, sliceable into batches.</summary>
internal sealed class TrainingData
{
    private readonly Tensor[] _targets;

    private TrainingData(Tensor[] inputs, Tensor[] targets, SequenceMask? mask, Tensor? weights)
    {
        Inputs = inputs;
        _targets = targets;
        Mask = mask;
        Weights = weights;
    }

    public IReadOnlyList<Tensor> Inputs { get; }   // each (N, …)
    public IReadOnlyList<Tensor> Targets => _targets; // each (N, …)
    public Tensor X => Inputs[0];
    public Tensor Y => _targets[0];
    public SequenceMask? Mask { get; } // (N, T) of the first input
    public Tensor? Weights { get; private set; } // (N) or (N, T)
    public int Count => X.Size(0);

    /// <summary>Checks what training needs before any work: same sample count, non-empty, finite values, matching mask and weights.</summary>
    public static TrainingData Create(Tensor x, Tensor y, SequenceMask? mask, Tensor? sampleWeight, string xName, string yName)
    {
        ArgumentNullException.ThrowIfNull(x, xName);
        ArgumentNullException.ThrowIfNull(y, yName);
        return Create([x], [y], mask, sampleWeight, xName, yName);
    }

    /// <summary>As <see cref="Create(Tensor, Tensor, SequenceMask?, Tensor?, string, string)"/> for models of several inputs or outputs.</summary>
    public static TrainingData Create(IReadOnlyList<Tensor> xs, IReadOnlyList<Tensor> ys, SequenceMask? mask, Tensor? sampleWeight, string xName, string yName)
    {
        ArgumentNullException.ThrowIfNull(xs, xName);
        ArgumentNullException.ThrowIfNull(ys, yName);
        if (xs.Count == 0) throw new ArgumentException($"{xName} is an empty list; expected one tensor per input.", xName);
        if (ys.Count == 0) throw new ArgumentException($"{yName} is an empty list; expected one tensor per output.", yName);
        string XName(int i) => xs.Count == 1 ? xName : $"{xName}[{i}]";
        string YName(int i) => ys.Count == 1 ? yName : $"{yName}[{i}]";
        for (int i = 0; i < xs.Count; i++)
        {
            var x = xs[i] ?? throw new ArgumentNullException(xName, $"{XName(i)} is null.");
            if (x.Rank < 2) throw new ArgumentException($"{XName(i)} has shape {Tensor.ShapeString(x.Shape)}; expected (samples, …) with at least one feature axis.", xName);
            if (x.Size(0) == 0) throw new ArgumentException($"{XName(i)} has no samples (shape {Tensor.ShapeString(x.Shape)}).", xName);
            if (x.Size(0) != xs[0].Size(0))
                throw new ArgumentException($"{XName(0)} has {xs[0].Size(0)} samples but {XName(i)} has {x.Size(0)}.", xName);
            x.ThrowIfNonFinite(XName(i));
        }
        int n = xs[0].Size(0);
        for (int i = 0; i < ys.Count; i++)
        {
            var y = ys[i] ?? throw new ArgumentNullException(yName, $"{YName(i)} is null.");
            if (y.Rank < 1) throw new ArgumentException($"{YName(i)} is a scalar; expected (samples, …).", yName);
            if (y.Size(0) != n)
                throw new ArgumentException($"{XName(0)} has {n} samples but {YName(i)} has {y.Size(0)}.", yName);
            y.ThrowIfNonFinite(YName(i));
        }
        mask?.RequireShape(n, xs[0].Size(1), "mask");
        if (sampleWeight is not null)
        {
            var y = ys[0];
            bool ok = (sampleWeight.Rank == 1 && sampleWeight.Size(0) == n)
                      || (sampleWeight.Rank == 2 && sampleWeight.Size(0) == n && y.Rank >= 2 && sampleWeight.Size(1) == y.Size(1));
            if (!ok)
                throw new ArgumentException($"sampleWeight has shape {Tensor.ShapeString(sampleWeight.Shape)}; expected ({n}) or ({n}, T) matching {YName(0)}.", nameof(sampleWeight));
            sampleWeight.ThrowIfNonFinite(nameof(sampleWeight));
            foreach (float w in sampleWeight.Span)
                if (w < 0) throw new ArgumentException($"sampleWeight has a negative weight {w}; expected weights ≥ 0.", nameof(sampleWeight));
        }
        return new TrainingData(xs.ToArray(), ys.ToArray(), mask, sampleWeight);
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

    /// <summary>
    /// Validates each target against its output and loss and reshapes (N)↔(N, 1) as the loss
    /// expects. Targets at steps the <paramref name="mask"/> marks as padding are not checked.
    /// </summary>
    public void AlignTargets(IReadOnlyList<Losses.Loss> losses, int[][] perSampleOutputs, string yName, SequenceMask? mask)
    {
        if (_targets.Length != perSampleOutputs.Length)
            throw new ArgumentException($"{yName} holds {_targets.Length} target{(_targets.Length == 1 ? "" : "s")}; the model has {perSampleOutputs.Length} outputs (one target each).", yName);
        if (losses.Count != perSampleOutputs.Length)
            throw new InvalidOperationException($"The model is compiled with {losses.Count} losses but has {perSampleOutputs.Length} outputs: compile it with one loss per output.");
        for (int k = 0; k < _targets.Length; k++)
            _targets[k] = losses[k].AlignTargets(_targets[k], perSampleOutputs[k], _targets.Length == 1 ? yName : $"{yName}[{k}]", mask);
    }

    public TrainingData Slice(ReadOnlySpan<int> rows)
    {
        var inputs = new Tensor[Inputs.Count];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = Batches.Take(Inputs[i], rows);
        var targets = new Tensor[_targets.Length];
        for (int i = 0; i < targets.Length; i++) targets[i] = Batches.Take(_targets[i], rows);
        return new(inputs, targets, Batches.Take(Mask, rows), Weights is null ? null : Batches.Take(Weights, rows));
    }
}
