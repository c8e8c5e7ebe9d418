namespace Recur.Serve.Tasks.Tag;

/// <summary>
/// <c>tag</c>: <c>{"text": "..."}</c> → <c>{"tokens": [...], "tags": [...]}</c>, or
/// <c>{"texts": [...]}</c> → <c>{"predictions": [...]}</c>.
/// </summary>
public sealed class TagEndpoint(string model, ITokenTagger tagger, ServeContext context)
    : TextEndpoint<TaggedText>(model, (tagger ?? throw new ArgumentNullException(nameof(tagger))).Tag, context)
{
    /// <inheritdoc/>
    protected override void Check(string text, string field)
    {
        int words = tagger.CountTokens(text);
        if (words > tagger.MaxTokens)
            throw Api.RequestException.OverLimit(field, $"'{field}' has {words:N0} words; the model tags at most {tagger.MaxTokens:N0} at a time.", tagger.MaxTokens);
    }

    /// <inheritdoc/>
    public override string Task => "tag";

    /// <inheritdoc/>
    protected override object List(IReadOnlyList<TaggedText> answers) => new TaggedTextList(answers);
}
