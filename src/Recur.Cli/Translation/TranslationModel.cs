using System.Text.Json.Nodes;
using Recur.Cli.Common;
using Recur.Cli.Tasks;
using Recur.Models.Seq2Seq;
using Recur.Serialization;

namespace Recur.Cli.Translation;

/// <summary>
/// A trained <c>recur translate</c> run as <c>translate predict</c> and the server use it: the
/// network and its vocabularies, how texts become tokens and back, and the output length limit.
/// </summary>
internal sealed class TranslationModel
{
    private TranslationModel(EncoderDecoder network, Translator translator, string sourceMode, string targetMode, string file)
    {
        Network = network;
        Translator = translator;
        SourceMode = sourceMode;
        TargetMode = targetMode;
        File = file;
    }

    /// <summary>The trained network.</summary>
    public EncoderDecoder Network { get; }

    /// <summary>Decodes token sequences (greedy or beam search).</summary>
    public Translator Translator { get; }

    /// <summary>How a source text is split: <c>char</c> or <c>word</c>.</summary>
    public string SourceMode { get; }

    /// <summary>How output tokens are joined: <c>char</c> or <c>word</c>.</summary>
    public string TargetMode { get; }

    /// <summary>The model file.</summary>
    public string File { get; }

    /// <summary>Reads the run directory (or model file) <paramref name="path"/> and its task.json.</summary>
    /// <exception cref="InputException">A missing or unreadable model file, or a task.json without the vocabularies.</exception>
    public static TranslationModel Load(string path, string task)
    {
        var (file, json) = TrainedModel.Files(path, task);
        EncoderDecoder network;
        try
        {
            network = EncoderDecoderFile.Load(file);
        }
        catch (Exception e) when (e is ModelFormatException or SafeTensorsFormatException or IOException)
        {
            throw new InputException($"--model {path}: not a readable translate model ({e.Message}).");
        }
        string[] List(string key) => json[key] is JsonArray a && a.All(n => n is JsonValue v && v.TryGetValue<string>(out _))
            ? a.Select(n => n!.GetValue<string>()).ToArray()
            : throw new InputException($"{file}: task.json has no \"{key}\" list of strings.");
        string Mode(string key)
        {
            string mode = json[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : json[key] is null ? "char" : "";
            return Tokens.Modes.Contains(mode) ? mode : throw new InputException($"{file}: task.json \"{key}\" should be one of {string.Join(", ", Tokens.Modes)}.");
        }
        int maxLength = json["max_length"] is JsonValue m && m.TryGetValue<int>(out int n) && n > 0 ? n
            : json["max_length"] is null ? 100 : throw new InputException($"{file}: task.json \"max_length\" should be an integer ≥ 1.");
        var translator = new Translator(network, new TokenVocabulary(List("source_vocabulary")), new TokenVocabulary(List("target_vocabulary")), maxLength);
        return new TranslationModel(network, translator, Mode("source_tokens"), Mode("target_tokens"), file);
    }

    /// <summary>The source tokens of <paramref name="text"/> (trimmed first).</summary>
    public string[] SourceTokens(string text) => Tokens.Split(text.Trim(), SourceMode);

    /// <summary>How many of <paramref name="tokens"/> the model never saw in training (read as unknown).</summary>
    public int UnknownCount(string[] tokens) => tokens.Count(t => !Translator.Source.Contains(t));

    /// <summary>The tokens of <paramref name="tokens"/> the model never saw in training, in order (repeats kept).</summary>
    public string[] Unknown(string[] tokens) => tokens.Where(t => !Translator.Source.Contains(t)).ToArray();

    /// <summary>Output token ids as text.</summary>
    public string Text(IEnumerable<int> ids) => Tokens.Join(Translator.Target.Strings(ids), TargetMode);
}
