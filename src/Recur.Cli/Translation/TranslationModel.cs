using System.Text.Json.Nodes;
using Recur.Cli.Common;
using Recur.Cli.Tasks;
using Recur.Models.Seq2Seq;
using Recur.Serialization;

namespace Recur.Cli.Translation;

/// <summary>
/// A trained <c>recur translate</c> run as <c>translate predict</c> and the server use it: the
/// networks (one, or the members of a seed ensemble: <c>model.recur</c>, <c>model-2.recur</c> …,
/// as many as task.json's <c>ensemble</c> says, the last <c>right_to_left</c> of them trained on
/// reversed targets) and their vocabularies, how texts become tokens and
/// back, and the output length limit.
/// </summary>
internal sealed class TranslationModel
{
    private TranslationModel(IReadOnlyList<EncoderDecoder> networks, Translator translator, string sourceMode, string targetMode, string file, string? data)
    {
        Data = data;
        Networks = networks;
        Translator = translator;
        SourceMode = sourceMode;
        TargetMode = targetMode;
        File = file;
    }

    /// <summary>The trained networks: one, or the members of an ensemble.</summary>
    public IReadOnlyList<EncoderDecoder> Networks { get; }

    /// <summary>Decodes token sequences (greedy or beam search) with all of <see cref="Networks"/>.</summary>
    public Translator Translator { get; }

    /// <summary>How a source text is split: <c>char</c> or <c>word</c>.</summary>
    public string SourceMode { get; }

    /// <summary>How output tokens are joined: <c>char</c> or <c>word</c>.</summary>
    public string TargetMode { get; }

    /// <summary>The model file.</summary>
    public string File { get; }

    /// <summary>What task.json says the model was trained on (<c>data</c>), or null.</summary>
    public string? Data { get; }

    /// <summary>Reads the run directory (or model file) <paramref name="path"/> and its task.json.</summary>
    /// <exception cref="InputException">A missing or unreadable model file, a task.json without the
    /// vocabularies, or ensemble members that do not share the vocabularies.</exception>
    public static TranslationModel Load(string path, string task)
    {
        var (file, json) = TrainedModel.Files(path, task);
        int count = json["ensemble"] is JsonValue e && e.TryGetValue<int>(out int k) && k >= 1 ? k
            : json["ensemble"] is null ? 1 : throw new InputException($"{file}: task.json \"ensemble\" should be an integer ≥ 1.");
        int rightToLeft = json["right_to_left"] is JsonValue rl && rl.TryGetValue<int>(out int reversed) && reversed >= 0 && reversed <= count ? reversed
            : json["right_to_left"] is null ? 0 : throw new InputException($"{file}: task.json \"right_to_left\" should be an integer in 0 … {count} (the ensemble's size).");
        string dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var networks = Enumerable.Range(1, count).Select(i => Network(i == 1 ? file : Path.Combine(dir, MemberFile(i)), path)).ToList();
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
        var source = new TokenVocabulary(List("source_vocabulary"));
        var target = new TokenVocabulary(List("target_vocabulary"));
        foreach (var (network, i) in networks.Select((n, i) => (n, i + 1)))
            if (network.Options.SourceVocabulary != source.Size || network.Options.TargetVocabulary != target.Size)
                throw new InputException($"{file}: ensemble member {i} has vocabularies of {network.Options.SourceVocabulary} → {network.Options.TargetVocabulary} ids; " +
                                         $"task.json lists {source.Size} → {target.Size}.");
        var translator = new Translator(networks, source, target, maxLength, rightToLeft);
        string? data = json["data"] is JsonValue d && d.TryGetValue<string>(out var name) ? name : null;
        return new TranslationModel(networks, translator, Mode("source_tokens"), Mode("target_tokens"), file, data);
    }

    /// <summary>The file of ensemble member <paramref name="member"/> (1-based) in a run directory: model.recur, model-2.recur, ….</summary>
    public static string MemberFile(int member) => member == 1 ? "model.recur" : $"model-{member}.recur";

    private static EncoderDecoder Network(string file, string shown)
    {
        if (!System.IO.File.Exists(file)) throw new InputException($"--model {shown}: {Path.GetFileName(file)} not found (task.json lists it as an ensemble member).");
        try
        {
            return EncoderDecoderFile.Load(file);
        }
        catch (Exception e) when (e is ModelFormatException or SafeTensorsFormatException or IOException)
        {
            throw new InputException($"--model {shown}: not a readable translate model ({Path.GetFileName(file)}: {e.Message}).");
        }
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
