using System.Text;
using Recur.Audio;
using Recur.Cli.Common;
using Recur.Cli.Data;
using Recur.Cli.Output;
using Recur.Cli.Tasks;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;
using Recur.Serialization;

namespace Recur.Fuzzing;

/// <summary>
/// One fuzz target per reader of untrusted input. A target returns normally when the reader
/// accepts its input or refuses it with the exception it documents; anything else (another
/// exception type, a crash, a hang, memory beyond the limits) is a finding. The fuzzer runs them
/// under AFL++, the test suite replays the seed corpus and every finding through them.
/// </summary>
/// <remarks>Compiled into the fuzzer (<c>fuzz/Recur.Fuzz</c>) and into the tests; it depends on no fuzzing package.</remarks>
internal static class FuzzTargets
{
    /// <summary>The targets by name: each takes the whole input and says whether the reader accepted it (false: refused as documented).</summary>
    public static readonly IReadOnlyDictionary<string, Func<byte[], bool>> All = new Dictionary<string, Func<byte[], bool>>(StringComparer.Ordinal)
    {
        ["safetensors"] = SafeTensors,
        ["recur"] = RecurFile,
        ["architecture"] = Architecture,
        ["npy"] = Npy,
        ["npz"] = Npz,
        ["csv"] = bytes => Delimited(bytes, ','),
        ["tsv"] = bytes => Delimited(bytes, '\t'),
        ["conllu"] = ConllUText,
        ["task"] = TaskFile,
        ["wav"] = Wav,
    };

    /// <summary>Runs target <paramref name="name"/> on <paramref name="input"/>: true when the input was accepted, false when it was refused as documented.</summary>
    public static bool Run(string name, byte[] input)
    {
        if (!All.TryGetValue(name, out var target))
            throw new ArgumentException($"No fuzz target '{name}'; targets: {string.Join(", ", All.Keys)}.", nameof(name));
        return target(input);
    }

    /// <summary>safetensors: parse, then convert every tensor (NotSupportedException: a dtype with no float32 conversion).</summary>
    private static bool SafeTensors(byte[] input)
    {
        SafeTensorsFile file;
        try
        {
            file = SafeTensorsFile.Read(input, "fuzz.safetensors");
        }
        catch (SafeTensorsFormatException)
        {
            return false;
        }
        foreach (var name in file.Names)
        {
            try { file.Get(name); }
            catch (NotSupportedException) { }
        }
        return true;
    }

    /// <summary>A whole <c>.recur</c> file: header, metadata, architecture, weights, training settings.</summary>
    private static bool RecurFile(byte[] input)
    {
        try
        {
            ModelFile.Load(SafeTensorsFile.Read(input, "fuzz.recur"), "fuzz.recur");
            return true;
        }
        catch (Exception e) when (e is SafeTensorsFormatException or ModelFormatException)
        {
            return false;
        }
    }

    /// <summary>The architecture JSON alone, in a file whose weights are those of <see cref="ArchitectureModel"/>.</summary>
    private static bool Architecture(byte[] input)
    {
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "recur",
            ["format_version"] = "1",
            ["architecture"] = Encoding.UTF8.GetString(input),
        };
        var weights = ArchitectureModel.Value.Layers.SelectMany(l => l.Parameters.Select(p => KeyValuePair.Create($"{l.Name}.{p.Name}", p.Value)));
        var file = SafeTensorsFile.Read(SafeTensorsWriter.ToBytes(weights, metadata), "fuzz.recur");
        try
        {
            ModelFile.Load(file, "fuzz.recur");
            return true;
        }
        catch (ModelFormatException)
        {
            return false;
        }
    }

    /// <summary>The model whose weights the architecture target's files hold (the seed architecture describes it).</summary>
    internal static readonly Lazy<Sequential> ArchitectureModel = new(() =>
    {
        var model = new Sequential(1, "fuzz", new Embedding(12, 4, maskZero: true, name: "embedding"),
            new Bidirectional(new Gru(3), name: "gru"), new Dense(2, name: "dense"));
        model.Build(-1);
        return model;
    });

    private static bool Npy(byte[] input)
    {
        try
        {
            NpyReader.Read(input, problem => new NpzFormatException("fuzz.npy", problem));
            return true;
        }
        catch (NpzFormatException)
        {
            return false;
        }
    }

    private static bool Npz(byte[] input)
    {
        try
        {
            NpzFile.Read(new MemoryStream(input, writable: false), "fuzz.npz");
            return true;
        }
        catch (NpzFormatException)
        {
            return false;
        }
    }

    /// <summary>CSV or TSV as the commands read them: records, header detection, labels and classes, numeric columns.</summary>
    private static bool Delimited(byte[] input, char delimiter)
    {
        DelimitedFile file;
        try
        {
            file = DelimitedFile.FromText(InputFile.FromBytes(input, input.Length, "fuzz"), "fuzz", header: null, delimiter);
        }
        catch (InputException)
        {
            return false;
        }
        // Each column as a label, a number or a category column would use it: refusals there are per column.
        if (file.ColumnCount >= 2)
        {
            try { LabelledTexts.From(file, null, null).Classes(); }
            catch (InputException) { }
        }
        var series = SeriesFile.From(file);
        for (int c = 0; c < file.ColumnCount; c++)
        {
            try
            {
                if (series.IsNumeric(c)) series.Numeric(c, out _);
                else series.Text(c);
            }
            catch (InputException) { }
        }
        return true;
    }

    private static bool ConllUText(byte[] input)
    {
        try
        {
            ConllU.Parse(InputFile.FromBytes(input, input.Length, "fuzz.conllu"), "fuzz.conllu");
            return true;
        }
        catch (InputException)
        {
            return false;
        }
    }

    /// <summary>task.json read, checked against a model of its task, then used as predict and sample use it.</summary>
    private static bool TaskFile(byte[] input)
    {
        try
        {
            var task = JsonFiles.ParseTask(InputFile.FromBytes(input, input.Length, "task.json"), "task.json",
                ClassifyCommand.Task, TagCommand.Task, CharLmCommand.Task);
            string kind = task["task"]!.GetValue<string>();
            var trained = TrainedModel.Checked(TaskModels.Value[kind], task, "model.recur");
            if (kind == CharLmCommand.Task)
            {
                _ = new CharText(trained.String("alphabet"));
                return true;
            }
            var encoder = new TextEncoder(Vocabulary.FromTokens(trained.Strings("vocabulary")), Math.Min(trained.Int("max_length", min: 1), Limits.MaxSequenceLength));
            encoder.Encode("a small text");
            return true;
        }
        catch (InputException)
        {
            return false;
        }
    }

    /// <summary>A model of each task the way recur builds them, for task files to be checked against.</summary>
    internal static readonly Lazy<Dictionary<string, Model>> TaskModels = new(() =>
    {
        Sequential Built(params Layer[] layers)
        {
            var m = new Sequential(1, layers);
            m.Build(-1);
            return m;
        }
        return new Dictionary<string, Model>(StringComparer.Ordinal)
        {
            [ClassifyCommand.Task] = Built(new Embedding(6, 4, maskZero: true), new Lstm(3), new Dense(2)),
            [TagCommand.Task] = Built(new Embedding(6, 4, maskZero: true), new Lstm(3, returnSequences: true), new Dense(3)),
            [CharLmCommand.Task] = Built(new Embedding(4, 4), new Lstm(3, returnSequences: true), new Dense(4)),
        };
    });

    /// <summary>WAV as <c>recur listen</c> reads it: 16-bit PCM, resampled to 16 kHz, then the log-mel features.</summary>
    private static bool Wav(byte[] input)
    {
        Waveform wave;
        try
        {
            wave = WavReader.Read(input, "fuzz.wav");
        }
        catch (AudioFormatException)
        {
            return false;
        }
        LogMelFeatures.Compute(WavReader.ToTargetRate(wave));
        return true;
    }
}
