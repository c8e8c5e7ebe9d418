using System.Globalization;
using Recur.Audio;
using Recur.Cli.Common;

namespace Recur.Cli.Speech;

/// <summary>
/// A list of recordings, one per line, tab-separated: WAV path (relative to the manifest's folder),
/// transcript, and optionally the voice and the condition. Lines starting with # are comments.
/// </summary>
internal static class AudioManifest
{
    public static List<SpokenUtterance> Read(string path, string option, LogMelOptions features)
    {
        if (!File.Exists(path)) throw new InputException($"{option} {path}: file not found.");
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var result = new List<SpokenUtterance>();
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0 || line.StartsWith('#')) continue;
            var fields = line.Split('\t');
            if (fields.Length < 2 || fields[0].Trim().Length == 0)
                throw new InputException($"{option} {path}:{lineNumber}: expected 'FILE.wav<TAB>transcript[<TAB>voice<TAB>condition]'; got \"{Shorten(line)}\".");
            string transcript = string.Join(' ', fields[1].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            if (transcript.Length == 0) throw new InputException($"{option} {path}:{lineNumber}: the transcript is empty.");
            string wav = Path.Combine(folder, fields[0].Trim());
            string voice = fields.Length > 2 ? fields[2].Trim() : "unknown";
            string condition = fields.Length > 3 ? fields[3].Trim() : "unknown";
            result.Add(new SpokenUtterance(transcript, voice, condition, Features(wav, $"{option} {path}:{lineNumber}", features)));
        }
        if (result.Count == 0) throw new InputException($"{option} {path}: no recordings listed.");
        return result;
    }

    /// <summary>Normalised log-mel features of one WAV file; a file that cannot be read is bad input.</summary>
    public static Tensor Features(string wav, string where, LogMelOptions features)
    {
        try
        {
            return LogMelFeatures.Compute(WavReader.ReadMono16k(wav), features);
        }
        catch (AudioFormatException e)
        {
            throw new InputException(where == "" ? e.Message : $"{where}: {e.Message}");
        }
        catch (FileNotFoundException)
        {
            throw new InputException($"{(where == "" ? "" : where + ": ")}{wav}: file not found.");
        }
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..57].ToString(CultureInfo.InvariantCulture) + "...";
}
