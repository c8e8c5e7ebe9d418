namespace Recur.Serve.Tasks.Generate;

/// <summary>The body of a generation request.</summary>
/// <param name="Prime">The text to continue (at least one character, each in the model's alphabet).</param>
/// <param name="MaxTokens">Characters to generate (default 200).</param>
/// <param name="Temperature">Softmax temperature, above 0 (default 0.8); lower is safer, higher more surprising.</param>
/// <param name="TopK">Draw only from the k most likely characters (default 0: all).</param>
/// <param name="Seed">Seed of the draws; the same seed gives the same text (default: a random one, reported at the end).</param>
/// <param name="Stream">Send the characters as server-sent events as they come (default true); false answers once, as JSON.</param>
public sealed record GenerateRequest(string Prime, int? MaxTokens, double? Temperature, int? TopK, ulong? Seed, bool? Stream);

/// <summary>One server-sent <c>token</c> event: a generated character.</summary>
/// <param name="Text">The character.</param>
/// <param name="Index">Its position in the generated text (0 first).</param>
public sealed record TokenEvent(string Text, int Index);

/// <summary>The closing <c>done</c> event (or the whole answer when not streamed).</summary>
/// <param name="Text">The whole generated text (without the prime).</param>
/// <param name="Tokens">Characters generated.</param>
/// <param name="FinishReason">"length" (max_tokens reached) or "timeout".</param>
/// <param name="Seed">The seed that was used.</param>
public sealed record GenerateResponse(string Text, int Tokens, string FinishReason, ulong Seed);

/// <summary>The optional body of <c>POST .../streams</c>.</summary>
/// <param name="Seed">Seed of the stream's draws (default: random).</param>
public sealed record OpenStreamRequest(ulong? Seed);

/// <summary>The body of <c>POST .../streams/{id}:step</c>.</summary>
/// <param name="Text">Characters to feed (may be empty once the stream has read something).</param>
/// <param name="MaxTokens">Characters to generate after them, each fed back (default 0).</param>
/// <param name="Temperature">As for generation.</param>
/// <param name="TopK">As for generation.</param>
/// <param name="Top">How many of the most likely next characters to list (default 5).</param>
public sealed record StepRequest(string? Text, int? MaxTokens, double? Temperature, int? TopK, int? Top);

/// <summary>A likely next character.</summary>
/// <param name="Character">The character.</param>
/// <param name="Probability">Its probability (temperature 1).</param>
public sealed record NextChar(string Character, double Probability);

/// <summary>The answer to a stream step.</summary>
/// <param name="Consumed">Characters of <c>text</c> fed.</param>
/// <param name="Generated">Characters generated (and fed) after them.</param>
/// <param name="Position">Characters the stream has read in all.</param>
/// <param name="Next">The most likely next characters.</param>
public sealed record StepResponse(int Consumed, string Generated, long Position, IReadOnlyList<NextChar> Next);
