using Recur.Cli.Tasks;
using Recur.Cli.Translation;
using Recur.Serve;
using Recur.Serve.Models;
using Recur.Serve.Tasks.Translate;

namespace Recur.Cli.Serving;

/// <summary>Serves a <c>recur translate</c> model through <see cref="TranslationModel"/>, the code of <c>recur translate predict</c>.</summary>
internal sealed class TranslateAdapter : ITaskAdapter
{
    /// <summary>The widest beam a request may ask for.</summary>
    public const int MaxBeam = 16;

    public string Task => TranslateCommand.Task;

    public ServedModel Load(string path, string name, ServeContext context)
    {
        var model = TranslationModel.Load(path, Task);
        long parameters = model.Networks.Sum(n => n.Parameters.Sum(p => (long)p.Value.Length));
        string members = model.Networks.Count == 1 ? "" : $"ensemble of {model.Networks.Count} ";
        var info = new ModelInfo(name, Task, $"{members}{model.Networks[0].Options.Cell} encoder–decoder, {parameters.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} parameters",
            $"text: {(model.SourceMode == "char" ? "characters" : "words")}; beam: 1 (greedy) to {MaxBeam}",
            "output: the best output; best: the beam's outputs with their scores; unknown: the source tokens never seen in training", Streams: false,
            new Dictionary<string, object?> { ["source_tokens"] = model.SourceMode, ["target_tokens"] = model.TargetMode, ["max_beam"] = MaxBeam });
        return new ServedModel(info, new TranslateEndpoint(name, new Adapter(model), context));
    }

    private sealed class Adapter(TranslationModel model) : ITextTranslator
    {
        public int MaxBeam => TranslateAdapter.MaxBeam;

        public string? Problem(string text)
        {
            var tokens = model.SourceTokens(text);
            if (tokens.Length == 0) return "the text is empty; give the text to translate.";
            return model.UnknownCount(tokens) == tokens.Length ? $"none of its {tokens.Length} tokens occurs in the model's training data." : null;
        }

        public IReadOnlyList<Serve.Tasks.Translate.Translation> Translate(IReadOnlyList<string> texts, int beam)
        {
            var sources = texts.Select(model.SourceTokens).ToArray();
            var decoded = model.Translator.Translate(sources, beam);
            return decoded.Select((best, i) =>
            {
                var unknown = model.Unknown(sources[i]);
                return new Serve.Tasks.Translate.Translation(model.Text(best[0].Tokens),
                    best.Select(h => new ScoredOutput(model.Text(h.Tokens), h.Score)).ToList(), unknown.Length, unknown);
            }).ToList();
        }
    }
}
