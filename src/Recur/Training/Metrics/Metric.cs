using Recur.Layers;

namespace Recur.Training;

/// <summary>
/// A quantity tracked during training and evaluation, accumulated over batches.
/// Predictions reach a metric as probabilities when the loss works from logits
/// (sigmoid for binary cross-entropy, softmax for sparse categorical cross-entropy).
/// </summary>
/// <remarks>Each factory property returns a new instance; a metric instance serves one model.</remarks>
public abstract class Metric
{
    /// <summary>The key under which the metric appears in logs and <see cref="History"/>.</summary>
    public abstract string Name { get; }

    /// <summary>Fraction of correct predictions: argmax against class ids, or a 0.5 threshold for one output.</summary>
    public static Metric Accuracy => new AccuracyMetric("accuracy", binary: false);

    /// <summary>Fraction of probabilities on the right side of 0.5.</summary>
    public static Metric BinaryAccuracy => new AccuracyMetric("binary_accuracy", binary: true);

    /// <summary>Mean absolute error.</summary>
    public static Metric MeanAbsoluteError => new ErrorMetric("mae", squared: false);

    /// <summary>Root mean squared error.</summary>
    public static Metric RootMeanSquaredError => new ErrorMetric("rmse", squared: true);

    /// <summary>exp(mean cross-entropy per predicted token), for language models.</summary>
    public static Metric Perplexity => new PerplexityMetric();

    /// <summary>Clears the accumulated state.</summary>
    public abstract void Reset();

    /// <summary>Adds a batch: <paramref name="prediction"/> (B, …), <paramref name="target"/> as for the loss, optional (B, T) mask.</summary>
    public abstract void Update(Tensor prediction, Tensor target, SequenceMask? mask);

    /// <summary>The value over everything since the last <see cref="Reset"/>.</summary>
    public abstract double Result();

    /// <summary>True when <paramref name="position"/> of a (B, …) position grid counts under the mask.</summary>
    private protected static bool IsReal(SequenceMask? mask, int position, int positionsPerSample)
    {
        if (mask is null) return true;
        int b = position / positionsPerSample, t = position % positionsPerSample;
        return positionsPerSample == mask.Steps ? mask[b, t] : true;
    }
}
