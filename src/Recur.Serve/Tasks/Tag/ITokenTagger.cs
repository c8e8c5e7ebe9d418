namespace Recur.Serve.Tasks.Tag;

/// <summary>The predictor a tag model offers the server: a tag per token, batched (padding masked).</summary>
public interface ITokenTagger
{
    /// <summary>Every tag the model knows.</summary>
    IReadOnlyList<string> Tags { get; }

    /// <summary>Most tokens one text may have.</summary>
    int MaxTokens { get; }

    /// <summary>The tokens <paramref name="text"/> splits into.</summary>
    int CountTokens(string text);

    /// <summary>The tokens of each text and their tags (one batch; called by one thread at a time).</summary>
    IReadOnlyList<TaggedText> Tag(IReadOnlyList<string> texts);
}

/// <summary>One text's tokens and their tags (parallel lists).</summary>
/// <param name="Tokens">The words as the model's tokenizer split them.</param>
/// <param name="Tags">One tag per token.</param>
public sealed record TaggedText(IReadOnlyList<string> Tokens, IReadOnlyList<string> Tags);

/// <summary>The answer to several texts.</summary>
/// <param name="Predictions">One answer per text, in order.</param>
public sealed record TaggedTextList(IReadOnlyList<TaggedText> Predictions);
