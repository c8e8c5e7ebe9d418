namespace Recur.Serve.Tasks.Classify;

/// <summary>
/// <c>classify</c>: <c>{"text": "..."}</c> → <c>{"label", "probability", "probabilities"}</c>, or
/// <c>{"texts": [...]}</c> → <c>{"predictions": [...]}</c>.
/// </summary>
public sealed class ClassifyEndpoint(string model, ITextClassifier classifier, ServeContext context)
    : TextEndpoint<Classification>(model, (classifier ?? throw new ArgumentNullException(nameof(classifier))).Classify, context)
{
    /// <inheritdoc/>
    public override string Task => "classify";

    /// <inheritdoc/>
    protected override object List(IReadOnlyList<Classification> answers) => new ClassificationList(answers);
}
