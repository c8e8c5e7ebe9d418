using Recur.Cli.Data;
using Recur.Cli.Prediction;
using Recur.Cli.Tasks;
using Recur.Serve;
using Recur.Serve.Models;
using Recur.Serve.Tasks.Tag;

namespace Recur.Cli.Serving;

/// <summary>Serves a <c>recur tag</c> model through <see cref="Prediction.Tagger"/>, the code of <c>recur predict</c>.</summary>
internal sealed class TagAdapter : ITaskAdapter
{
    public string Task => TagCommand.Task;

    public ServedModel Load(string path, string name, ServeContext context)
    {
        var trained = TrainedModel.Load(path, Task);
        var tagger = new Adapter(new Tagger(trained));
        var info = new ModelInfo(name, Task, TaskAdapters.Architecture(trained),
            "text: words (lower-cased, digits as 0 for the lookup)", "tokens and one tag per token", Streams: false,
            new Dictionary<string, object?> { ["tags"] = tagger.Tags });
        return new ServedModel(info, new TagEndpoint(name, tagger, context));
    }

    private sealed class Adapter(Tagger tagger) : ITokenTagger
    {
        public IReadOnlyList<string> Tags => tagger.Tags;

        public int MaxTokens => Limits.MaxSequenceLength;

        public int CountTokens(string text) => Tokenizer.Tokenize(text).Count;

        public IReadOnlyList<TaggedText> Tag(IReadOnlyList<string> texts)
            => tagger.Tag(texts).Select(t => new TaggedText(t.Words, t.Tags)).ToList();
    }
}
