using System.Text.Json.Nodes;
using System.Globalization;
using Recur.Layers;

namespace Recur.Losses;

/// <summary>
/// A training objective. <see cref="Compute"/> returns the scalar loss and its gradient with
/// respect to the prediction in one pass.
/// </summary>
/// <remarks>
/// <para><b>Positions.</b> A loss is a sum of per-position terms: one per element for element-wise
/// losses (target has the prediction's shape), one per row of the last (class) axis for sparse
/// categorical cross-entropy (target has the prediction's shape without that axis). Each position
/// has exactly one target value.</para>
/// <para><b>Reduction</b> (Keras 3 "sum_over_batch_size" with masks): with mᵢ the mask (1 where the
/// step is real) and sᵢ the sample weight (1 when absent),
/// <c>loss = Σᵢ mᵢ sᵢ ℓᵢ / Σᵢ mᵢ</c> — a mean over the non-masked positions, where masked positions
/// contribute nothing and are not counted; sample weights scale terms but do not change the count.
/// With no real position the loss is 0. Targets at masked positions are ignored (not validated), so
/// padding may hold any value.</para>
/// <para><b>Broadcasting.</b> With positions of shape (B, T, …), a mask (B, T) and a sample weight
/// (B, T) apply to every position of step (b, t); a sample weight (B) applies to all of sample b.</para>
/// </remarks>
public abstract class Loss
{
    /// <summary>ε = 1e-7, the clip applied to probabilities (Keras' <c>backend.epsilon()</c>): p ∈ [ε, 1 − ε].</summary>
    public const double ProbabilityEpsilon = 1e-7;

    /// <summary>The Keras name of the loss, e.g. <c>mean_squared_error</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Mean of (p − y)² (<see cref="Losses.MeanSquaredError"/>).</summary>
    public static Loss MeanSquaredError() => new MeanSquaredError();

    /// <summary>Mean of |p − y| (<see cref="Losses.MeanAbsoluteError"/>).</summary>
    public static Loss MeanAbsoluteError() => new MeanAbsoluteError();

    /// <summary>Huber loss with threshold <paramref name="delta"/> (<see cref="Losses.Huber"/>).</summary>
    public static Loss Huber(float delta = 1f) => new Huber(delta);

    /// <summary>Binary cross-entropy on logits or on probabilities (<see cref="Losses.BinaryCrossEntropy"/>).</summary>
    public static Loss BinaryCrossEntropy(bool fromLogits = false) => new BinaryCrossEntropy(fromLogits);

    /// <summary>Cross-entropy with integer class targets (<see cref="Losses.SparseCategoricalCrossEntropy"/>).</summary>
    public static Loss SparseCategoricalCrossEntropy(bool fromLogits = true) => new SparseCategoricalCrossEntropy(fromLogits);

    /// <summary>
    /// The loss and its gradient with respect to <paramref name="prediction"/>.
    /// </summary>
    /// <param name="prediction">(B, …); for a loss with a class axis (B, C) or (B, T, C).</param>
    /// <param name="target">Same shape as the prediction; for a class-axis loss the prediction's shape without the last axis, (B) or (B, T).</param>
    /// <param name="mask">Optional (B, T) mask over the first two axes of the positions; false steps are left out.</param>
    /// <param name="sampleWeight">Optional (B) or (B, T) weights.</param>
    /// <exception cref="ArgumentException">Shapes do not match, a target is NaN/infinite or outside the loss's domain, or a sample weight is not finite.</exception>
    public virtual LossResult Compute(Tensor prediction, Tensor target, SequenceMask? mask = null, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        int width = CheckShapes(prediction, target);         // prediction values per position: 1 or C
        var positions = target.ShapeArray;                   // (B, …)
        int count = target.Length;
        var real = RealPositions(mask, positions, count);    // (positions) or null = all real
        var weights = PositionWeights(sampleWeight, positions, count); // (positions) or null = all 1
        CheckTargets(target, real, width);

        int denominator = real is null ? count : real.Count(r => r);
        var gradient = Tensor.Zeros(prediction.ShapeArray);
        if (denominator == 0) return new LossResult(0.0, gradient);

        double total = 0;
        var p = prediction.Span;
        var y = target.Span;
        var g = gradient.Span;
        for (int i = 0; i < count; i++)
        {
            if (real is not null && !real[i]) continue;
            double w = weights is null ? 1.0 : weights[i];
            if (w == 0) continue; // contributes nothing, even where the prediction is not finite
            var gi = g.Slice(i * width, width);
            total += w * Evaluate(p.Slice(i * width, width), y[i], gi);
            float scale = (float)(w / denominator);
            for (int j = 0; j < gi.Length; j++) gi[j] *= scale;
        }
        return new LossResult(total / denominator, gradient);
    }

    /// <summary>True when the last axis of the prediction is a class axis the target does not have.</summary>
    protected virtual bool HasClassAxis => false;

    /// <summary>
    /// True when the loss reads the model's output mask as the length of each predicted sequence,
    /// whatever the target's shape (CTC: targets (B, S) of labels, predictions (B, T, C) with S ≠ T).
    /// Otherwise the mask reaches the loss only when the target keeps the output's time axis.
    /// </summary>
    protected internal virtual bool MaskGivesPredictionLengths => false;

    /// <summary>
    /// The loss ℓ at one position (computed in double) and dℓ/dprediction written into
    /// <paramref name="gradient"/> (same length as <paramref name="prediction"/>: 1, or C with a class axis).
    /// </summary>
    protected abstract double Evaluate(ReadOnlySpan<float> prediction, float target, Span<float> gradient);

    /// <summary>
    /// Null when <paramref name="target"/> is valid, else what was expected (e.g. "a value in
    /// [0, 1]"). Non-finite targets are rejected even when this returns null.
    /// <paramref name="classes"/> is C for a class-axis loss, else 1.
    /// </summary>
    protected virtual string? TargetProblem(float target, int classes) => null;

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>
    /// Predictions as metrics read them: probabilities when the loss works from logits (the
    /// default returns <paramref name="prediction"/> unchanged).
    /// </summary>
    public virtual Tensor ToProbabilities(Tensor prediction) => prediction;

    /// <summary>
    /// The hyper-parameters that recreate this loss, as saved with a compiled model; null (the
    /// default) when the loss cannot be saved (the weights still are). A user-defined loss
    /// overrides this and registers a factory reading the same keys with
    /// <see cref="Serialization.TypeRegistry.RegisterLoss{T}(Func{LayerConfig, T}, string?)"/>.
    /// </summary>
    public virtual JsonObject? GetConfig() => null;

    /// <summary>
    /// Checks all <paramref name="target"/>s (N, …) against a model output of per-sample shape
    /// <paramref name="perSampleOutput"/>, before any training work, and returns them in the
    /// shape the loss expects: (N) labels become (N, 1) for a single output, and (N, 1) class ids
    /// become (N) for a class axis, as Keras accepts.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit, or a target is outside the loss's domain.</exception>
    internal virtual Tensor AlignTargets(Tensor target, int[] perSampleOutput, string argumentName, SequenceMask? mask = null)
    {
        int n = target.Size(0);
        int[] expected = (HasClassAxis ? perSampleOutput[..^1] : perSampleOutput).Prepend(n).ToArray();
        if (!target.SameShape(expected) && target.Length == expected.Aggregate(1L, (a, d) => a * d))
        {
            bool squeezeOrUnsqueeze = Math.Abs(target.Rank - expected.Length) == 1;
            if (squeezeOrUnsqueeze) target = target.Reshape(expected);
        }
        if (!target.SameShape(expected))
            throw new ArgumentException(
                $"{argumentName} has shape {Tensor.ShapeString(target.Shape)}; the model outputs (N, {string.Join(", ", perSampleOutput)}), " +
                $"so {Name} expects targets {Tensor.ShapeString(expected)}.", argumentName);
        try
        {
            bool masked = mask is not null && target.Rank >= 2 && target.Size(1) == mask.Steps && target.Size(0) == mask.Batch;
            CheckTargets(target, masked ? RealPositions(mask, target.ShapeArray, target.Length) : null, HasClassAxis ? perSampleOutput[^1] : 1);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(e.Message.Replace("target[", argumentName + "["), argumentName, e);
        }
        return target;
    }

    private int CheckShapes(Tensor prediction, Tensor target)
    {
        if (!HasClassAxis)
        {
            if (prediction.Rank == 0)
                throw new ArgumentException("prediction has shape (); expected (batch, …).", nameof(prediction));
            Tensor.RequireShape(target, prediction.Shape, nameof(target));
            return 1;
        }
        if (prediction.Rank < 2 || prediction.Size(-1) == 0)
            throw new ArgumentException(
                $"prediction has shape {Tensor.ShapeString(prediction.Shape)}; expected (batch, classes) or (batch, steps, classes) with classes > 0.",
                nameof(prediction));
        Tensor.RequireShape(target, prediction.Shape[..^1], nameof(target));
        return prediction.Size(-1);
    }

    private static bool[]? RealPositions(SequenceMask? mask, int[] positions, int count)
    {
        if (mask is null) return null;
        if (positions.Length < 2 || mask.Batch != positions[0] || mask.Steps != positions[1])
            throw new ArgumentException(
                $"mask has shape ({mask.Batch}, {mask.Steps}); expected (batch, steps) = the first two axes of the " +
                $"target {Tensor.ShapeString(positions)}.", nameof(mask));
        var flags = mask.Flags;
        var real = new bool[count];
        int inner = flags.Length == 0 ? 0 : real.Length / flags.Length; // positions per step
        for (int i = 0; i < real.Length; i++) real[i] = flags[i / inner];
        return real;
    }

    private static double[]? PositionWeights(Tensor? sampleWeight, int[] positions, int count)
    {
        if (sampleWeight is null) return null;
        bool ok = sampleWeight.Rank is 1 or 2 && positions.Length >= sampleWeight.Rank;
        for (int d = 0; ok && d < sampleWeight.Rank; d++) ok = sampleWeight.Size(d) == positions[d];
        if (!ok)
            throw new ArgumentException(
                $"sampleWeight has shape {Tensor.ShapeString(sampleWeight.Shape)}; expected (batch) or (batch, steps) " +
                $"matching the leading axes of the target {Tensor.ShapeString(positions)}.", nameof(sampleWeight));
        sampleWeight.ThrowIfNonFinite(nameof(sampleWeight));
        var weights = new double[count];
        var s = sampleWeight.Span;
        int inner = s.Length == 0 ? 0 : weights.Length / s.Length; // positions per weight
        for (int i = 0; i < weights.Length; i++) weights[i] = s[i / inner];
        return weights;
    }

    private void CheckTargets(Tensor target, bool[]? real, int classes)
    {
        var y = target.Span;
        for (int i = 0; i < y.Length; i++)
        {
            if (real is not null && !real[i]) continue;
            string? expected = TargetProblem(y[i], classes) ?? (float.IsFinite(y[i]) ? null : "a finite value");
            if (expected is not null)
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"target{IndexString(i, target.Shape)} is {y[i]}; expected {expected} for {Name}."), nameof(target));
        }
    }

    private static string IndexString(int flat, ReadOnlySpan<int> shape)
    {
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return "[" + string.Join(", ", index) + "]";
    }
}
