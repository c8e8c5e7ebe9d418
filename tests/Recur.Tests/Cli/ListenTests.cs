using Recur.Tests.Audio;

namespace Recur.Tests.Cli;

/// <summary>
/// <c>recur listen</c> end to end on a tiny set of tone "speech" (each digit a 0.12 s tone of its
/// own pitch), and its bad input: one line, exit code 2.
/// </summary>
public class ListenTests
{
    private static readonly double[] Pitch = { 0, 400, 900, 1600 }; // digit d ↦ a tone; 0 unused

    /// <summary>A manifest of <paramref name="count"/> recordings of 1–3 digits from {1, 2, 3}, by four "voices" (amplitudes).</summary>
    private static string Manifest(TempDir dir, string name, int count, int seed, int rate = 8000)
    {
        var r = new SeededRandom((ulong)seed);
        var lines = new List<string>();
        for (int i = 0; i < count; i++)
        {
            int n = 1 + r.NextInt(3);
            var digits = Enumerable.Range(0, n).Select(_ => 1 + r.NextInt(3)).ToArray();
            var samples = new List<float>(new float[rate / 20]);
            foreach (int d in digits)
            {
                samples.AddRange(WavBytes.Tone(Pitch[d], 0.12, rate, 0.2f + 0.1f * (i % 4)));
                samples.AddRange(new float[rate / 20]);
            }
            string file = $"{name}-{i}.wav";
            File.WriteAllBytes(dir.File(file), WavBytes.Pcm16(rate, samples.ToArray()));
            lines.Add($"{file}\t{string.Join(' ', digits)}\tvoice{i % 4}\tclean");
        }
        return dir.Write(name + ".tsv", string.Join('\n', lines) + "\n");
    }

    [Fact]
    public void Trains_on_a_tiny_set_writes_the_run_and_transcribes_a_wav()
    {
        using var dir = new TempDir();
        var train = Manifest(dir, "train", 48, 1);
        var test = Manifest(dir, "test", 8, 2);
        string run = dir.File("run");
        var result = CliRun.Of("listen", "--train", train, "--test", test, "--epochs", "3", "--units", "12", "--layers", "1", "--batch", "8", "--beam", "3", "--quiet", "--out", run);
        result.ShouldSucceed();
        Assert.Contains("test WER", result.Output);
        foreach (var f in new[] { "model.recur", "task.json", "history.csv", "metrics.json", "loss.svg", "wer.svg", "alignment_1.svg", "alignment_3.svg" })
            Assert.True(File.Exists(Path.Combine(run, f)), $"{f} is missing");
        var m = CliRun.Metrics(run);
        foreach (var k in new[] { "test_wer", "test_cer", "test_sentence_accuracy", "train_seconds" }) Assert.True(m.ContainsKey(k), $"metrics.json lacks {k}");
        Assert.InRange((double)m["test_sentence_accuracy"]!, 0, 1);
        Assert.True((double)m["test_wer"]! >= 0);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(run, "alignment_1.svg")));

        // predict prints one transcript of tokens from the alphabet (a 16 kHz stereo file works too).
        var wav = dir.File("mine.wav");
        var tone = WavBytes.Tone(900, 0.12, 16000, 0.3f).Concat(new float[1600]).Concat(WavBytes.Tone(400, 0.12, 16000, 0.3f)).ToArray();
        File.WriteAllBytes(wav, WavBytes.Pcm16(16000, tone, tone));
        var predicted = CliRun.Of("listen", "predict", "--model", run, "--wav", wav);
        predicted.ShouldSucceed();
        var transcript = predicted.Output.Trim();
        Assert.All(transcript.Split(' ', StringSplitOptions.RemoveEmptyEntries), w => Assert.Contains(w, new[] { "1", "2", "3" }));
    }

    [Fact]
    public void The_bundled_digits_load_and_train_a_few_steps()
    {
        using var dir = new TempDir();
        string run = dir.File("run");
        var result = CliRun.Of("listen", "--limit", "64", "--epochs", "1", "--units", "8", "--layers", "1", "--beam", "1", "--quiet", "--out", run);
        result.ShouldSucceed();
        var m = CliRun.Metrics(run);
        Assert.Equal(450, (int)m["test_recordings"]!);
        Assert.True((int)m["test_voices"]! >= 20, "the test set holds many voices");
        Assert.True((double)m["test_cer"]! >= 0); // an untrained model may insert more than the references hold
    }

    [Fact]
    public void Pack_writes_a_feature_file_that_trains_like_the_manifest()
    {
        using var dir = new TempDir();
        var train = Manifest(dir, "train", 12, 3);
        var packed = dir.File("train.digits.gz");
        CliRun.Of("listen", "pack", "--manifest", train, "--out", packed).ShouldSucceed();
        var utterances = Recur.Cli.Speech.FeatureBundle.Read(packed, "--train", out int bands);
        Assert.Equal(12, utterances.Count);
        Assert.Equal(40, bands);
        var direct = Recur.Cli.Speech.AudioManifest.Read(train, "--train", new Recur.Audio.LogMelOptions());
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(direct[i].Transcript, utterances[i].Transcript);
            Assert.Equal(direct[i].Features.ShapeArray, utterances[i].Features.ShapeArray);
            for (int j = 0; j < direct[i].Features.Length; j++)
                Assert.True(Math.Abs(Math.Clamp(direct[i].Features.Span[j], -4f, 4f) - utterances[i].Features.Span[j]) <= 8f / 255 / 2 + 1e-6);
        }
    }

    [Fact]
    public void Bad_wav_files_get_one_line_and_exit_code_2()
    {
        using var dir = new TempDir();
        var model = dir.File("no-model");
        string Write(string name, byte[] bytes)
        {
            File.WriteAllBytes(dir.File(name), bytes);
            return dir.File(name);
        }
        var train = Manifest(dir, "train", 8, 4);
        string run = dir.File("run");
        CliRun.Of("listen", "--train", train, "--test", train, "--epochs", "1", "--units", "4", "--layers", "1", "--batch", "4", "--quiet", "--out", run).ShouldSucceed();
        CliRun.Of("listen", "predict", "--model", run, "--wav", Write("float.wav", WavBytes.Build(3, 1, 8000, 32, new byte[400]))).ShouldFailWithOneLine("float.wav", "not PCM");
        CliRun.Of("listen", "predict", "--model", run, "--wav", Write("cut.wav", WavBytes.Build(1, 1, 8000, 16, new byte[100], declaredDataSize: 4000))).ShouldFailWithOneLine("cut.wav", "truncated");
        CliRun.Of("listen", "predict", "--model", run, "--wav", Write("empty.wav", WavBytes.Build(1, 1, 8000, 16, Array.Empty<byte>()))).ShouldFailWithOneLine("empty.wav", "0 samples");
        CliRun.Of("listen", "predict", "--model", run, "--wav", Write("six.wav", WavBytes.Build(1, 6, 8000, 16, new byte[1200]))).ShouldFailWithOneLine("six.wav", "6 channels");
        CliRun.Of("listen", "predict", "--model", run, "--wav", dir.File("missing.wav")).ShouldFailWithOneLine("missing.wav", "not found");
        CliRun.Of("listen", "predict", "--model", model, "--wav", train).ShouldFailWithOneLine("--model");
    }

    [Fact]
    public void Bad_transcripts_get_one_line_and_exit_code_2()
    {
        using var dir = new TempDir();
        var train = Manifest(dir, "train", 8, 5);
        // A label outside the alphabet learned from training.
        var test = dir.Write("letters.tsv", $"train-0.wav\t1 x 2\tvoice9\tclean\n");
        CliRun.Of("listen", "--train", train, "--test", test, "--epochs", "1", "--units", "4", "--quiet", "--out", dir.File("r1"))
            .ShouldFailWithOneLine("--test", "'x'", "not in the alphabet");
        // A recording shorter than its transcript: 0.05 s cannot hold seven digits.
        File.WriteAllBytes(dir.File("short.wav"), WavBytes.Pcm16(8000, WavBytes.Tone(400, 0.05, 8000)));
        var shortTest = dir.Write("short.tsv", "short.wav\t1 2 3 1 2 3 1\tvoice9\tclean\n");
        CliRun.Of("listen", "--train", train, "--test", shortTest, "--epochs", "1", "--units", "4", "--quiet", "--out", dir.File("r2"))
            .ShouldFailWithOneLine("shorter than its transcript");
        // A manifest line without a transcript, and a bundle that is not one.
        var broken = dir.Write("broken.tsv", "train-0.wav\n");
        CliRun.Of("listen", "--train", broken, "--quiet", "--out", dir.File("r3")).ShouldFailWithOneLine("broken.tsv:1", "expected");
        var notBundle = dir.Write("fake.digits.gz", "not gzip");
        CliRun.Of("listen", "--train", notBundle, "--quiet", "--out", dir.File("r4")).ShouldFailWithOneLine("fake.digits.gz");
    }
}
