namespace Recur.Serve.Tasks.Tag;

/// <summary>
/// <c>tag</c>: <c>{"text": "..."}</c> → <c>{"tokens": [...], "tags": [...]}</c>, or
/// <c>{"texts": [...]}</c> → <c>{"predictions": [...]}</c>.
/// </summary>
public sealed class TagEndpoint(string model, ITokenTagger tagger, ServeContext context)
    : TextEndpoint<TaggedText>(model, (tagger ?? throw new ArgumentNullException(nameof(tagger))).Tag, context)
{
    /// <inheritdoc/>
    public override string Task => "tag";

    /// <inheritdoc/>
    protected override object List(IReadOnlyList<TaggedText> answers) => new TaggedTextList(answers);
}
