namespace Recur.Serve.Tasks.Translate;

/// <summary>
/// The predictor a translate model offers the server: the k best outputs of a batch of texts.
/// Each text's answer must not depend on the other texts of its batch, so micro-batching changes
/// nothing but the speed.
/// </summary>
public interface ITextTranslator
{
    /// <summary>The widest beam a request may ask for.</summary>
    int MaxBeam { get; }

    /// <summary>Refuses a text the model cannot take (empty, or none of its tokens known): the reason, or null when it can be translated.</summary>
    string? Problem(string text);

    /// <summary>The <paramref name="beam"/> best outputs of each text, best first (beam 1: the greedy output).</summary>
    IReadOnlyList<Translation> Translate(IReadOnlyList<string> texts, int beam);
}

/// <summary>One output with its score.</summary>
/// <param name="Output">The output text.</param>
/// <param name="Score">Its length-normalised log probability (the beam search's ranking).</param>
public sealed record ScoredOutput(string Output, double Score);

/// <summary>One text's answer.</summary>
/// <param name="Output">The best output.</param>
/// <param name="Best">The k best, best first (one entry at beam 1).</param>
/// <param name="UnknownTokens">How many source tokens were never seen in training (read as unknown).</param>
/// <param name="Unknown">Those tokens, in the order of the text (repeats kept), so a client can show what the model could not read.</param>
public sealed record Translation(string Output, IReadOnlyList<ScoredOutput> Best, int UnknownTokens, IReadOnlyList<string> Unknown);

/// <summary>The answer to several texts.</summary>
/// <param name="Predictions">One answer per text, in order.</param>
public sealed record TranslationList(IReadOnlyList<Translation> Predictions);

/// <summary>The body of a translate request: <c>text</c> or <c>texts</c>, and the beam width (default 1).</summary>
/// <param name="Text">One text.</param>
/// <param name="Texts">Several texts (answered as a list, in order).</param>
/// <param name="Beam">The beam width, 1 (greedy) to the model's maximum.</param>
public sealed record TranslateRequest(string? Text, string[]? Texts, int? Beam);
