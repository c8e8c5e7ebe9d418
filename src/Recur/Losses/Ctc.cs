using System.Text.Json.Nodes;
using System.Globalization;
using Recur.Layers;

namespace Recur.Losses;

/// <summary>
/// Connectionist temporal classification (Graves et al. 2006): the negative log-likelihood of a
/// label sequence under every alignment of it to the model's steps, for outputs whose length
/// differs from the label's (speech, handwriting). Computed from logits, fused with log-softmax;
/// PyTorch's <c>torch.nn.functional.ctc_loss</c> on <c>log_softmax(logits)</c> is the reference in
/// every convention.
/// </summary>
/// <remarks>
/// <para><b>Shapes.</b> prediction (B, T, C) logits, C including the blank; target (B, S) label ids
/// stored as floats, each item's labels first and then padding with −1 (any negative value), so
/// S_b is the number of labels before the first negative entry. Item b is read for its first T_b
/// steps: T_b is the number of real steps of the output mask (passed by <c>Fit</c> from the model;
/// real steps must come first), or T without a mask. The overload with explicit lengths takes T_b
/// and S_b directly, as PyTorch does.</para>
/// <para><b>Reduction.</b> ℓ_b = −log p(l_b | x_b); <see cref="CtcReduction.Mean"/> is PyTorch's
/// <c>(1/B) Σ_b ℓ_b / max(S_b, 1)</c>, <see cref="CtcReduction.Sum"/> is <c>Σ_b ℓ_b</c>. A (B)
/// sample weight scales each ℓ_b.</para>
/// <para><b>Impossible alignments.</b> An item needs T_b ≥ S_b + (number of equal neighbours in its
/// labels). When T_b ≥ S_b but that fails, ℓ_b = +∞ and its gradient is NaN, as in PyTorch; with
/// <see cref="ZeroInfinity"/> both are 0 instead. T_b &lt; S_b (an input shorter than its label) is
/// rejected as bad input.</para>
/// <para><b>Gradient</b> (with respect to the logits): ∂ℓ_b/∂x_t(c) = softmax(x_t)(c) − Σ_{s: l′_s = c} γ_t(s)
/// for t &lt; T_b and 0 after, scaled by the reduction (see <see cref="CtcForwardBackward"/>).</para>
/// </remarks>
/// <example>
/// <code>
/// var model = new Sequential(new Bidirectional(new Lstm(128, returnSequences: true)), new Dense(classes));
/// model.Compile(new Adam(1e-3f), new Ctc(blank: 0));
/// model.Fit(features, labelsPaddedWithMinusOne, mask: frameMask, epochs: 20);
/// </code>
/// </example>
public sealed class Ctc : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="blank">The class index of the blank, in [0, C).</param>
    /// <param name="reduction">Mean (PyTorch's default) or sum over the batch.</param>
    /// <param name="zeroInfinity">Replace an infinite item loss (an impossible alignment) and its gradient by 0.</param>
    public Ctc(int blank = 0, CtcReduction reduction = CtcReduction.Mean, bool zeroInfinity = false)
    {
        if (blank < 0) throw new ArgumentOutOfRangeException(nameof(blank), blank, "blank must be a class index ≥ 0.");
        if (!Enum.IsDefined(reduction)) throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "reduction must be Mean or Sum.");
        Blank = blank;
        Reduction = reduction;
        ZeroInfinity = zeroInfinity;
    }

    /// <summary>The class index of the blank.</summary>
    public int Blank { get; }

    /// <summary>Mean or sum over the batch.</summary>
    public CtcReduction Reduction { get; }

    /// <summary>True when infinite item losses and their gradients become 0.</summary>
    public bool ZeroInfinity { get; }

    /// <inheritdoc/>
    public override string Name => "ctc";

    /// <inheritdoc/>
    protected internal override bool MaskGivesPredictionLengths => true;

    /// <inheritdoc/>
    protected override double Evaluate(ReadOnlySpan<float> prediction, float target, Span<float> gradient)
        => throw new NotSupportedException("CTC is not a per-position loss; Compute reads whole sequences.");

    /// <summary>softmax(prediction) over the class axis.</summary>
    public override Tensor ToProbabilities(Tensor prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        var p = prediction.Clone();
        int classes = p.Size(-1);
        Kernels.Activations.Softmax(p.Span, p.Length / classes, classes);
        return p;
    }

    /// <summary>
    /// The reduced loss and its gradient with respect to the logits (B, T, C); input lengths from
    /// <paramref name="mask"/> (B, T), label lengths from the −1 padding of <paramref name="target"/> (B, S).
    /// </summary>
    /// <exception cref="ArgumentException">A shape, label, padding, mask or weight is invalid, or an input is shorter than its label.</exception>
    public override LossResult Compute(Tensor prediction, Tensor target, SequenceMask? mask = null, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        RequireLogits(prediction, nameof(prediction));
        int B = prediction.Size(0), T = prediction.Size(1);
        RequireTargets(target, B, nameof(target));
        var inputLengths = new int[B];
        if (mask is null) inputLengths.AsSpan().Fill(T);
        else
        {
            mask.RequireShape(B, T, nameof(mask));
            for (int b = 0; b < B; b++)
            {
                inputLengths[b] = mask.Length(b);
                for (int t = 0; t < inputLengths[b]; t++)
                    if (!mask[b, t])
                        throw new ArgumentException($"mask row {b} has a padded step {t} before a real one; CTC reads the real steps of an item as a prefix (pad at the end).", nameof(mask));
            }
        }
        return Reduce(prediction, target, inputLengths, TargetLengths(target, nameof(target)), sampleWeight, nameof(target));
    }

    /// <summary>
    /// The reduced loss and its gradient with respect to <paramref name="logits"/> (B, T, C), with
    /// explicit lengths as in PyTorch: item b reads steps [0, inputLengths[b]) and labels
    /// targets[b, 0 .. targetLengths[b]).
    /// </summary>
    /// <param name="logits">(B, T, C) unnormalised scores.</param>
    /// <param name="targets">(B, S) label ids; entries past an item's length are ignored.</param>
    /// <param name="inputLengths">(B) T_b in [0, T].</param>
    /// <param name="targetLengths">(B) S_b in [0, S], at most T_b.</param>
    /// <param name="sampleWeight">Optional (B) non-negative weights of the items.</param>
    /// <exception cref="ArgumentException">A shape, length, label or weight is invalid, or an input is shorter than its label.</exception>
    public LossResult Compute(Tensor logits, Tensor targets, ReadOnlySpan<int> inputLengths, ReadOnlySpan<int> targetLengths, Tensor? sampleWeight = null)
        => Reduce(logits, targets, inputLengths, targetLengths, sampleWeight, nameof(targets));

    private LossResult Reduce(Tensor logits, Tensor targets, ReadOnlySpan<int> inputLengths, ReadOnlySpan<int> targetLengths, Tensor? sampleWeight, string targetsName)
    {
        var items = Items(logits, targets, inputLengths, targetLengths, withGradient: true, out var gradient, targetsName);
        int B = logits.Size(0), T = logits.Size(1), C = logits.Size(2);
        var w = Weights(sampleWeight, B);
        double total = 0;
        var g = gradient.Span;
        for (int b = 0; b < B; b++)
        {
            double scale = (w?[b] ?? 1.0) * (Reduction == CtcReduction.Mean ? 1.0 / (B * (double)Math.Max(targetLengths[b], 1)) : 1.0);
            var gb = g.Slice(b * T * C, inputLengths[b] * C);
            if (scale == 0)
            {
                gb.Clear(); // a zero weight drops the item, even an impossible one
                continue;
            }
            total += scale * items[b];
            for (int i = 0; i < gb.Length; i++) gb[i] = (float)(gb[i] * scale);
        }
        return new LossResult(total, gradient);
    }

    /// <summary>
    /// The per-item losses ℓ_b = −log p(l_b | x_b) (PyTorch's <c>reduction='none'</c>): +∞ for an
    /// impossible alignment, or 0 with <see cref="ZeroInfinity"/>.
    /// </summary>
    /// <exception cref="ArgumentException">As for <see cref="Compute(Tensor, Tensor, ReadOnlySpan{int}, ReadOnlySpan{int}, Tensor?)"/>.</exception>
    public double[] ItemLosses(Tensor logits, Tensor targets, ReadOnlySpan<int> inputLengths, ReadOnlySpan<int> targetLengths)
        => Items(logits, targets, inputLengths, targetLengths, withGradient: false, out _, nameof(targets));

    /// <summary>ℓ_b per item and, with <paramref name="withGradient"/>, the unreduced ∂ℓ_b/∂logits (B, T, C).</summary>
    private double[] Items(Tensor logits, Tensor targets, ReadOnlySpan<int> inputLengths, ReadOnlySpan<int> targetLengths, bool withGradient, out Tensor gradient, string targetsName)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        RequireLogits(logits, nameof(logits));
        int B = logits.Size(0), T = logits.Size(1), C = logits.Size(2);
        RequireTargets(targets, B, targetsName);
        int S = targets.Size(1);
        RequireLengths(inputLengths, B, T, nameof(inputLengths));
        RequireLengths(targetLengths, B, S, nameof(targetLengths));
        var labels = new int[B][];
        for (int b = 0; b < B; b++)
        {
            if (targetLengths[b] > inputLengths[b])
                throw new ArgumentException(
                    $"item {b} has {targetLengths[b]} labels but inputLengths[{b}] is {inputLengths[b]}: an input shorter than its label has no CTC alignment; expected at least {targetLengths[b]} steps.",
                    nameof(inputLengths));
            labels[b] = Labels(targets, b, targetLengths[b], C, targetsName);
        }
        gradient = Tensor.Zeros(B, T, C);
        var losses = new double[B];
        var x = logits.Span;
        var g = gradient.Span;
        for (int b = 0; b < B; b++)
        {
            var xb = x.Slice(b * T * C, inputLengths[b] * C);
            var gb = withGradient ? g.Slice(b * T * C, inputLengths[b] * C) : Span<float>.Empty;
            double loss = CtcForwardBackward.Run(xb, C, labels[b], Blank, gb);
            if (double.IsPositiveInfinity(loss))
            {
                if (ZeroInfinity) loss = 0;
                else gb.Fill(float.NaN); // PyTorch's gradient of an infinite loss
            }
            losses[b] = loss;
        }
        return losses;
    }

    /// <summary>Checks the targets (N, S) against an output of per-sample shape (T, C) before training; S_b ≤ T_b where the mask gives T_b.</summary>
    internal override Tensor AlignTargets(Tensor target, int[] perSampleOutput, string argumentName, SequenceMask? mask = null)
    {
        if (perSampleOutput.Length != 2)
            throw new ArgumentException(
                $"the model outputs (N, {string.Join(", ", perSampleOutput)}); CTC expects (N, T, classes): a recurrent layer with returnSequences and a Dense per step.",
                argumentName);
        int T = perSampleOutput[0], C = perSampleOutput[1];
        if (Blank >= C)
            throw new ArgumentException($"blank is {Blank} but the model outputs {C} classes; expected a blank in [0, {C}).", argumentName);
        RequireTargets(target, target.Size(0), argumentName);
        var lengths = TargetLengths(target, argumentName);
        bool masked = mask is not null && mask.Steps == T && mask.Batch == target.Size(0);
        for (int b = 0; b < lengths.Length; b++)
        {
            Labels(target, b, lengths[b], C, argumentName);
            int steps = masked ? mask!.Length(b) : T;
            if (lengths[b] > steps)
                throw new ArgumentException(
                    $"{argumentName} row {b} has {lengths[b]} labels but its input has {steps} steps: an input shorter than its label has no CTC alignment.",
                    argumentName);
        }
        return target;
    }

    /// <summary>S_b of each row of (B, S) targets: the entries before the first negative one; no label may follow padding.</summary>
    public static int[] TargetLengths(Tensor target, string argumentName = "target")
    {
        ArgumentNullException.ThrowIfNull(target);
        Tensor.RequireRank(target, 2, argumentName, "(batch, labels) padded with -1");
        int B = target.Size(0), S = target.Size(1);
        var y = target.Span;
        var lengths = new int[B];
        for (int b = 0; b < B; b++)
        {
            int n = 0;
            while (n < S && y[b * S + n] >= 0) n++;
            for (int s = n; s < S; s++)
                if (y[b * S + s] >= 0)
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"{argumentName}[{b}, {s}] is {y[b * S + s]} after padding at [{b}, {n}]; expected the labels first, then only negative padding."),
                        argumentName);
            lengths[b] = n;
        }
        return lengths;
    }

    private int[] Labels(Tensor targets, int b, int length, int classes, string argumentName)
    {
        int S = targets.Size(1);
        var y = targets.Span;
        var labels = new int[length];
        for (int s = 0; s < length; s++)
        {
            float v = y[b * S + s];
            if (!(v >= 0 && v < classes && v == MathF.Floor(v)) || (int)v == Blank)
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture,
                        $"{argumentName}[{b}, {s}] is {v}; expected a label id in [0, {classes}) other than the blank {Blank}."),
                    argumentName);
            labels[s] = (int)v;
        }
        return labels;
    }

    private void RequireLogits(Tensor logits, string argumentName)
    {
        if (logits.Rank != 3 || logits.Size(2) == 0)
            throw new ArgumentException($"{argumentName} has shape {Tensor.ShapeString(logits.Shape)}; expected (batch, steps, classes) logits.", argumentName);
        if (Blank >= logits.Size(2))
            throw new ArgumentException($"blank is {Blank} but {argumentName} has {logits.Size(2)} classes; expected a blank in [0, {logits.Size(2)}).", argumentName);
    }

    private static void RequireTargets(Tensor targets, int batch, string argumentName)
    {
        if (targets.Rank != 2 || targets.Size(0) != batch)
            throw new ArgumentException(
                $"{argumentName} has shape {Tensor.ShapeString(targets.Shape)}; expected ({batch}, labels) label ids padded with -1.", argumentName);
        targets.ThrowIfNonFinite(argumentName);
    }

    private static void RequireLengths(ReadOnlySpan<int> lengths, int batch, int max, string argumentName)
    {
        if (lengths.Length != batch)
            throw new ArgumentException($"{argumentName} has {lengths.Length} entries; expected {batch}, one per item.", argumentName);
        for (int b = 0; b < batch; b++)
            if (lengths[b] < 0 || lengths[b] > max)
                throw new ArgumentException($"{argumentName}[{b}] is {lengths[b]}; expected a value in [0, {max}].", argumentName);
    }

    private static double[]? Weights(Tensor? sampleWeight, int batch)
    {
        if (sampleWeight is null) return null;
        if (sampleWeight.Rank != 1 || sampleWeight.Size(0) != batch)
            throw new ArgumentException($"sampleWeight has shape {Tensor.ShapeString(sampleWeight.Shape)}; expected ({batch}), one weight per item.", nameof(sampleWeight));
        sampleWeight.ThrowIfNonFinite(nameof(sampleWeight));
        var w = new double[batch];
        for (int b = 0; b < batch; b++)
        {
            w[b] = sampleWeight.Span[b];
            if (w[b] < 0) throw new ArgumentException($"sampleWeight[{b}] is {w[b]}; expected a weight ≥ 0.", nameof(sampleWeight));
        }
        return w;
    }

    /// <inheritdoc/>
    public override JsonObject? GetConfig() => new() { ["blank"] = Blank, ["reduction"] = Reduction.ToString(), ["zero_infinity"] = ZeroInfinity };
}
