using Recur.Serve.Api;

namespace Recur.Serve.Tasks;

/// <summary>The <c>{"text": "..."}</c> or <c>{"texts": [...]}</c> body that classify and tag take.</summary>
/// <param name="Text">One text.</param>
/// <param name="Texts">Several texts (answered as a list, in order).</param>
public sealed record TextRequest(string? Text, string[]? Texts)
{
    /// <summary>Reads and checks the body against the server limits; <paramref name="otherFields"/> are the task's own fields, read by the task.</summary>
    public static TextRequest Read(JsonRequest request, ServeOptions options, params string[] otherFields)
    {
        request.AllowOnly(["text", "texts", .. otherFields]);
        var text = request.Text("text", options.MaxTextLength);
        var texts = request.Strings("texts", options.MaxTexts, options.MaxTextLength);
        if (text is null && texts is null) throw RequestException.Missing("text", "a string (or 'texts': a list of strings)");
        if (text is not null && texts is not null)
            throw RequestException.Invalid("texts", "Both 'text' and 'texts' are given; send one text as 'text' or several as 'texts'.");
        return new TextRequest(text, texts);
    }

    /// <summary>The texts to run, one or several.</summary>
    public IReadOnlyList<string> All => Texts ?? [Text!];
}
