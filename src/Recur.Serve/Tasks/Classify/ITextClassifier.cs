namespace Recur.Serve.Tasks.Classify;

/// <summary>
/// The predictor a classify model offers the server: the labels and a batched forward pass. Each
/// text's answer must not depend on the other texts of its batch (padding is masked), so
/// micro-batching changes nothing but the speed.
/// </summary>
public interface ITextClassifier
{
    /// <summary>The classes, in the model's order.</summary>
    IReadOnlyList<string> Labels { get; }

    /// <summary>The class probabilities of each text (one batch; called by one thread at a time).</summary>
    IReadOnlyList<Classification> Classify(IReadOnlyList<string> texts);
}

/// <summary>One text's answer.</summary>
/// <param name="Label">The most probable class.</param>
/// <param name="Probability">Its probability.</param>
/// <param name="Probabilities">Every class's probability.</param>
public sealed record Classification(string Label, double Probability, IReadOnlyDictionary<string, double> Probabilities);

/// <summary>The answer to several texts.</summary>
/// <param name="Predictions">One answer per text, in order.</param>
public sealed record ClassificationList(IReadOnlyList<Classification> Predictions);
