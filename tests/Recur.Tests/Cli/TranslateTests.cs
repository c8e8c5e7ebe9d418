using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Recur.Cli.Data;
using Recur.Cli.Translation;
using Recur.Decoding;
using Recur.Models.Seq2Seq;

namespace Recur.Tests.Cli;

public class TranslateTests
{
    /// <summary>Lines "abc⇥cba": random strings over a–f and their reverses.</summary>
    private static string ReversePairs(int lines, int seed, string letters = "abcdef")
    {
        var r = new SeededRandom(seed);
        var text = new StringBuilder();
        for (int i = 0; i < lines; i++)
        {
            var s = new string(Enumerable.Range(0, 2 + r.NextInt(4)).Select(_ => letters[r.NextInt(letters.Length)]).ToArray());
            text.Append(s).Append('\t').Append(new string(s.Reverse().ToArray())).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>A tiny model, one encoder layer, the earlier dropout, no weight average and one network: the G2P defaults learn too slowly for a test of seconds.</summary>
    private static string[] Small(int epochs, string ema = "0", int threads = 1, int ensemble = 1) => ["--units", "16", "--embedding", "8", "--batch", "16", "--epochs", epochs.ToString(), "--lr", "0.01", "--threads", threads.ToString(), "--quiet",
        "--layers", "1", "--dropout", "0.2", "--ema", ema, "--ensemble", ensemble.ToString()];

    [Fact]
    public void Trains_on_tsv_pairs_then_predicts_the_best_and_the_k_best()
    {
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", ReversePairs(400, 1));
        var test = dir.Write("test.tsv", ReversePairs(30, 2));
        string run = dir.File("run");
        var result = CliRun.Of([.. new[] { "translate", "--train", train, "--test", test, "--beam", "3", "--out", run }, .. Small(6)]);
        result.ShouldSucceed();
        foreach (var f in new[] { "model.recur", "task.json", "history.csv", "metrics.json", "loss.svg", "attention.svg" })
            Assert.True(File.Exists(Path.Combine(run, f)), $"{f} missing");
        var m = CliRun.Metrics(run);
        foreach (var k in new[] { "test_wer", "test_per", "test_words", "beam", "train_seconds", "greedy_test_wer", "words_per_second_beam_1", "words_per_second_beam_3", "dev_wer", "dev_per", "ema" })
            Assert.True(m.ContainsKey(k), $"metrics.json lacks {k}");
        Assert.Equal(30, (int)m["test_words"]!);
        Assert.Equal(3, (int)m["beam"]!);
        Assert.InRange((double)m["test_per"]!, 0, 0.5); // reversal is learned in a few epochs, if not perfectly
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(run, "attention.svg")));

        var one = CliRun.Of("translate", "predict", "--model", run, "--text", "abc");
        one.ShouldSucceed();
        Assert.Matches("^[a-f]+$", one.Output.Trim());
        var three = CliRun.Of("translate", "predict", "--model", run, "--text", "abc", "--beam", "3");
        three.ShouldSucceed();
        var lines = three.Output.Trim().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^-?\d+\.\d{4}\t[a-f]*$", l.Trim()));
    }

    [Fact]
    public void Input_feeding_and_the_plateau_schedule_train_and_are_recorded()
    {
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", string.Join('\n', ReversePairs(600, 4).Split('\n').Where(l => l.Length > 0).Distinct().Take(300)) + "\n");
        var test = dir.Write("test.tsv", ReversePairs(20, 5));
        string run = dir.File("run");
        var result = CliRun.Of([.. new[] { "translate", "--train", train, "--test", test, "--beam", "2", "--input-feeding", "--schedule", "plateau", "--out", run }, .. Small(4, ema: "0.9")]);
        result.ShouldSucceed();
        var m = CliRun.Metrics(run);
        Assert.True((bool)m["input_feeding"]!);
        Assert.Equal(0.9, (double)m["ema"]!);
        Assert.Equal(4 * 18, (int)m["train_batches"]!); // 300 distinct pairs less 15 dev: 285 in batches of 16 of similar length
        Assert.InRange((double)m["test_per"]!, 0, 0.8);
        // The saved model decodes with input feeding as it was trained.
        CliRun.Of("translate", "predict", "--model", run, "--text", "abc").ShouldSucceed();
        var history = File.ReadAllLines(Path.Combine(run, "history.csv"));
        Assert.Equal(5, history.Length);
        Assert.Contains("batches", history[0]);
    }

    [Fact]
    public void The_kept_epoch_is_the_best_by_the_monitored_dev_score_and_patience_stops_training()
    {
        // Dev items whose first target is the copy and whose second is the reversal: the dev loss
        // (against the first target) rises as the model learns to reverse while the dev WER (right
        // when either target is matched) falls, so the two monitors keep different epochs.
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", ReversePairs(400, 1));
        var test = dir.Write("test.tsv", ReversePairs(30, 2));
        var words = ReversePairs(200, 6).Split('\n').Select(l => l.Split('\t')[0]).Where(w => w.Length >= 3 && w != new string(w.Reverse().ToArray())).Distinct().Take(60);
        var dev = dir.Write("dev.tsv", string.Concat(words.Select(w => $"{w}\t{w}\n{w}\t{new string(w.Reverse().ToArray())}\n")));
        (JsonObject Metrics, double[] Loss, double[] Wer) Train(string monitor, int patience)
        {
            string run = dir.File($"run-{monitor}");
            CliRun.Of([.. new[] { "translate", "--train", train, "--test", test, "--dev", dev, "--beam", "1", "--monitor", monitor, "--patience", patience.ToString(), "--out", run }, .. Small(8)]).ShouldSucceed();
            var rows = File.ReadAllLines(Path.Combine(run, "history.csv"));
            var header = rows[0].Split(',');
            double[] Column(string name) => rows[1..].Select(r => double.Parse(r.Split(',')[Array.IndexOf(header, name)], CultureInfo.InvariantCulture)).ToArray();
            return (CliRun.Metrics(run), Column("val_loss"), Column("val_wer"));
        }

        var byWer = Train("wer", 20);
        Assert.Equal(8, byWer.Wer.Length);
        Assert.All(byWer.Wer, w => Assert.InRange(w, 0, 1));
        Assert.Equal("val_wer", (string)byWer.Metrics["monitor"]!);
        Assert.Equal(byWer.Wer.Min(), (double)byWer.Metrics["best_val_wer"]!, 6);
        // Beam 1: the dev WER of the saved model is the greedy dev WER of the kept epoch, the best one.
        Assert.Equal(byWer.Wer.Min(), (double)byWer.Metrics["dev_wer"]!, 6);

        var byLoss = Train("loss", 2);
        int kept = Array.IndexOf(byLoss.Loss, byLoss.Loss.Min());
        Assert.True(kept < byLoss.Loss.Length - 2, $"the dev loss was best at epoch {kept + 1} of {byLoss.Loss.Length}; the data should make it rise");
        Assert.Equal(kept + 3, byLoss.Loss.Length); // two epochs without a better dev loss, then the stop
        Assert.Equal(kept + 3, (int)byLoss.Metrics["epochs"]!);
        Assert.Equal("val_loss", (string)byLoss.Metrics["monitor"]!);
        Assert.Equal(byLoss.Wer[kept], (double)byLoss.Metrics["dev_wer"]!, 6);
        Assert.True((double)byLoss.Metrics["dev_wer"]! > byWer.Wer.Min(), "the dev loss should keep a worse-by-WER epoch than the dev WER does");
    }

    [Fact]
    public void An_ensemble_trains_its_members_side_by_side_and_decodes_them_as_one()
    {
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", ReversePairs(300, 7));
        var test = dir.Write("test.tsv", ReversePairs(20, 8));
        string solo = dir.File("solo"), pair = dir.File("pair");
        // The plateau schedule: the linear one reads the clock, so two runs of it differ in their last bits.
        string[] options = ["translate", "--train", train, "--test", test, "--beam", "3", "--schedule", "plateau"];
        CliRun.Of([.. options, "--out", solo, .. Small(3)]).ShouldSucceed();
        // Two processors: the members train side by side, each with the kernels on its own thread.
        CliRun.Of([.. options, "--out", pair, .. Small(3, threads: 2, ensemble: 2)]).ShouldSucceed();
        foreach (var f in new[] { "model.recur", "model-2.recur", "history.csv", "history-2.csv" })
            Assert.True(File.Exists(Path.Combine(pair, f)), $"{f} missing");
        var m = CliRun.Metrics(pair);
        Assert.Equal(2, (int)m["ensemble"]!);
        Assert.Equal(3, (int)m["member_2_epochs"]!);
        // Member 1 has the run's seed: it is the model trained alone, to the bit, whatever the thread it trained on.
        Assert.Equal(File.ReadAllBytes(Path.Combine(solo, "model.recur")), File.ReadAllBytes(Path.Combine(pair, "model.recur")));
        Assert.Equal((double)CliRun.Metrics(solo)["test_wer"]!, (double)m["member_1_test_wer"]!);
        // … and its epochs logged the same losses and dev WERs (all but the clock's column).
        string[] Logged(string run) => File.ReadAllLines(Path.Combine(run, "history.csv")).Select(l => string.Join(",", l.Split(',').Where((_, i) => i != 4))).ToArray();
        Assert.Equal("loss,val_loss,lr,val_wer,batches", Logged(solo)[0]);
        Assert.Equal(Logged(solo), Logged(pair));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(pair, "model.recur")), File.ReadAllBytes(Path.Combine(pair, "model-2.recur")));

        // The saved run decodes with both members: each step's log-probabilities are those of the mean of their probabilities.
        var loaded = TranslationModel.Load(pair, "translate");
        Assert.Equal(2, loaded.Networks.Count);
        var source = loaded.SourceTokens("abcd");
        var best = loaded.Translator.Translate([source], 1)[0][0];
        var steppers = loaded.Networks.Select(n => new EncoderDecoderStepper(n)).ToArray();
        var states = steppers.Select(st => st.Encode([loaded.Translator.Source.Ids(source)])).ToArray();
        var logp = steppers.Select(st => new float[st.VocabularySize]).ToArray();
        double expected = 0, first = 0;
        int previous = EncoderDecoder.Start;
        foreach (int token in best.Tokens.Append(EncoderDecoder.End))
        {
            for (int i = 0; i < 2; i++) states[i] = steppers[i].Step([previous], states[i], logp[i]);
            expected += Math.Log((Math.Exp(logp[0][token]) + Math.Exp(logp[1][token])) / 2);
            first += logp[0][token];
            previous = token;
        }
        Assert.Equal(expected, best.LogProbability, 4);
        Assert.NotEqual(first, best.LogProbability, 4);
        var predicted = CliRun.Of("translate", "predict", "--model", pair, "--text", "abcd");
        predicted.ShouldSucceed();
        Assert.Equal(loaded.Text(best.Tokens), predicted.Output.Trim());

        // evaluate scores the saved run as the training run scored its test pairs.
        var evaluated = CliRun.Of("translate", "evaluate", "--model", pair, "--test", test, "--beam", "3");
        evaluated.ShouldSucceed();
        Assert.StartsWith(FormattableString.Invariant($"test WER {(double)m["test_wer"]!:0.0000}, PER {(double)m["test_per"]!:0.0000} with beam 3 — 20 items, an ensemble of 2"), evaluated.Output.Trim());
        CliRun.Of("translate", "evaluate", "--model", pair).ShouldFailWithOneLine("not a model of the CMUdict task", "--test FILE");
        // A model of the CMUdict task scores on the bundled test words (this one knows a–f only: the rest read as unknown).
        var task = JsonNode.Parse(File.ReadAllText(Path.Combine(pair, "task.json")))!;
        task["data"] = "CMUdict 0.4 (bundled)";
        File.WriteAllText(Path.Combine(pair, "task.json"), task.ToJsonString());
        var cmudict = CliRun.Of("translate", "evaluate", "--model", pair, "--beam", "1");
        cmudict.ShouldSucceed();
        Assert.Contains("with beam 1 — 5,277 items, an ensemble of 2 (", cmudict.Output);
        Assert.Contains("source tokens never seen in training, read as unknown", cmudict.Output);

        // A member missing from the run directory is named, not skipped.
        File.Delete(Path.Combine(pair, "model-2.recur"));
        CliRun.Of("translate", "predict", "--model", pair, "--text", "abcd").ShouldFailWithOneLine("model-2.recur not found", "ensemble member");
    }

    [Fact]
    public void A_right_to_left_network_learns_the_reversed_targets_and_rescores_with_the_left_to_right_one()
    {
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", ReversePairs(300, 9));
        var test = dir.Write("test.tsv", ReversePairs(20, 10));
        var dev = dir.Write("dev.tsv", ReversePairs(20, 11));
        string alone = dir.File("alone"), pair = dir.File("pair");
        // A dev file: without one, the dev pairs held out of the training file depend on the seed.
        string[] options = ["translate", "--train", train, "--test", test, "--dev", dev, "--beam", "3", "--schedule", "plateau"];
        // Member 2 of the pair has seed 2: the right-to-left network trained alone with that seed.
        CliRun.Of([.. options, "--out", alone, "--seed", "2", "--right-to-left", "1", .. Small(12)]).ShouldSucceed();
        CliRun.Of([.. options, "--out", pair, "--right-to-left", "1", .. Small(12, threads: 2, ensemble: 2)]).ShouldSucceed();
        Assert.Equal(File.ReadAllBytes(Path.Combine(alone, "model.recur")), File.ReadAllBytes(Path.Combine(pair, "model-2.recur")));
        var m = CliRun.Metrics(pair);
        Assert.Equal(1, (int)m["right_to_left"]!);
        Assert.Equal((double)CliRun.Metrics(alone)["test_wer"]!, (double)m["member_2_test_wer"]!);

        // The network alone produces the reversed outputs; the translator turns them around, and
        // they are right as often as the left-to-right network's (a network that reads its outputs
        // the wrong way round would be wrong on nearly every item).
        var reversed = TranslationModel.Load(alone, "translate");
        var sources = File.ReadAllLines(test).Select(l => reversed.SourceTokens(l.Split('\t')[0])).ToList();
        var stepper = new EncoderDecoderStepper(reversed.Networks[0]);
        var raw = GreedyDecoder.Decode(stepper, stepper.Encode(sources.Select(reversed.Translator.Source.Ids).ToList()),
            EncoderDecoder.Start, EncoderDecoder.End, 20);
        var turned = reversed.Translator.Translate(sources, 1);
        for (int i = 0; i < sources.Count; i++) Assert.Equal(Enumerable.Reverse(raw[i].Tokens), turned[i][0].Tokens);
        // Its attention map is drawn in reading order: row j is the step that produced output token j; the end token's row stays last.
        var (first, generated) = (sources[0], raw[0].Tokens);
        var weights = reversed.Translator.Weights(first, turned[0][0].Tokens)!;
        var state = stepper.Encode([reversed.Translator.Source.Ids(first)]);
        int fed = EncoderDecoder.Start;
        for (int step = 0; step <= generated.Length; step++)
        {
            var w = stepper.AttentionWeights([fed], state)!;
            int row = step < generated.Length ? generated.Length - 1 - step : step;
            for (int j = 0; j < first.Length; j++) Assert.Equal(w[0, j], weights[row, j]);
            state = stepper.Step([fed], state, new float[stepper.VocabularySize]);
            if (step < generated.Length) fed = generated[step];
        }
        Assert.InRange((double)m["member_2_test_wer"]!, 0, 0.5);
        Assert.InRange((double)m["member_1_test_wer"]!, 0, 0.5);

        // Both directions: every candidate of either direction's beam, ranked by the mean of the two
        // log-probabilities per token, each computed here by stepping the networks by hand.
        var loaded = TranslationModel.Load(pair, "translate");
        Assert.Equal(2, loaded.Networks.Count);
        var forward = new EncoderDecoderStepper(loaded.Networks[0]);
        var backward = new EncoderDecoderStepper(loaded.Networks[1]);
        double LogP(EncoderDecoderStepper s, int[] source, IEnumerable<int> tokens)
        {
            var state = s.Encode([source]);
            var logp = new float[s.VocabularySize];
            double sum = 0;
            int previous = EncoderDecoder.Start;
            foreach (int token in tokens.Append(EncoderDecoder.End))
            {
                state = s.Step([previous], state, logp);
                sum += logp[token];
                previous = token;
            }
            return sum;
        }
        foreach (var source in sources)
        {
            var ids = loaded.Translator.Source.Ids(source);
            var options3 = new BeamSearchOptions { Width = 3, MaxLength = loaded.Translator.LimitFor(ids.Length) };
            var candidates = BeamSearch.Decode(forward, forward.Encode([ids]), EncoderDecoder.Start, EncoderDecoder.End, options3)[0].Select(h => h.Tokens)
                .Concat(BeamSearch.Decode(backward, backward.Encode([ids]), EncoderDecoder.Start, EncoderDecoder.End, options3)[0].Select(h => Enumerable.Reverse(h.Tokens).ToArray()))
                .DistinctBy(t => string.Join(' ', t)).ToList();
            var byHand = candidates.Select(t => (Tokens: t, LogP: (LogP(forward, ids, t) + LogP(backward, ids, Enumerable.Reverse(t))) / 2))
                .OrderByDescending(c => c.LogP / (c.Tokens.Length + 1)).ToList();
            var decoded = loaded.Translator.Translate([source], 3)[0];
            Assert.Equal(Math.Min(3, candidates.Count), decoded.Length);
            for (int k = 0; k < decoded.Length; k++)
            {
                Assert.Equal(byHand[k].Tokens, decoded[k].Tokens);
                Assert.Equal(byHand[k].LogP, decoded[k].LogProbability, 4);
                Assert.Equal(byHand[k].LogP / (byHand[k].Tokens.Length + 1), decoded[k].Score, 4);
            }
        }
        var evaluated = CliRun.Of("translate", "evaluate", "--model", pair, "--test", test, "--beam", "3");
        evaluated.ShouldSucceed();
        Assert.StartsWith(FormattableString.Invariant($"test WER {(double)m["test_wer"]!:0.0000}, PER {(double)m["test_per"]!:0.0000} with beam 3"), evaluated.Output.Trim());

        // A task.json that lists more right-to-left networks than the ensemble has is refused by name.
        var task = JsonNode.Parse(File.ReadAllText(Path.Combine(pair, "task.json")))!;
        Assert.Equal(1, (int)task["right_to_left"]!);
        task["right_to_left"] = 3;
        File.WriteAllText(Path.Combine(pair, "task.json"), task.ToJsonString());
        CliRun.Of("translate", "predict", "--model", pair, "--text", "abcd").ShouldFailWithOneLine("\"right_to_left\"", "0 … 2");
    }

    [Fact]
    public void Test_characters_never_seen_in_training_are_read_as_unknown_and_counted()
    {
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", ReversePairs(200, 3));
        var test = dir.Write("test.tsv", "axyb\tbyxa\nab\tba\n");
        string run = dir.File("run");
        var result = CliRun.Of([.. new[] { "translate", "--train", train, "--test", test, "--beam", "1", "--out", run }, .. Small(1)]);
        result.ShouldSucceed();
        Assert.Equal(2, (int)CliRun.Metrics(run)["test_unknown_tokens"]!);
        Assert.Contains("2 source tokens never seen in training", result.Output);
    }

    [Theory]
    [InlineData("abc cba\n", "train.tsv:1", "no tab")]
    [InlineData("abc\tcba\n\tx\n", "train.tsv:2", "the source is empty")]
    [InlineData("abc\tcba\nab\t \n", "train.tsv:2", "the target is empty")]
    [InlineData("abc\tcba\tx\n", "train.tsv:1", "more than one tab")]
    public void Malformed_pairs_are_one_line_naming_the_file_and_line(string content, string where, string what)
    {
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", ReversePairs(50, 1) + content);
        int line = int.Parse(where.Split(':')[1]) + 50;
        var result = CliRun.Of("translate", "--train", train, "--out", dir.File("run"));
        result.ShouldFailWithOneLine($"train.tsv:{line}", what);
        dir.HoldsOnly("train.tsv");
    }

    [Fact]
    public void Bad_options_and_too_long_targets_are_refused_before_anything_is_written()
    {
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", ReversePairs(50, 1) + "ab\tabcdefabcdef\n");
        CliRun.Of("translate", "--train", train, "--beam", "0", "--out", dir.File("run")).ShouldFailWithOneLine("--beam is 0", "at least 1");
        CliRun.Of("translate", "--train", train, "--max-length", "10", "--out", dir.File("run")).ShouldFailWithOneLine("target of 12 tokens", "--max-length is 10");
        CliRun.Of("translate", "--train", train, "--ema", "1", "--out", dir.File("run")).ShouldFailWithOneLine("--ema is 1", "[0, 1)");
        CliRun.Of("translate", "--train", train, "--cell", "rnn", "--out", dir.File("run")).ShouldFailWithOneLine("--cell rnn");
        CliRun.Of("translate", "--train", train, "--schedule", "cosine", "--out", dir.File("run")).ShouldFailWithOneLine("cosine");
        CliRun.Of("translate", "--train", train, "--monitor", "accuracy", "--out", dir.File("run")).ShouldFailWithOneLine("accuracy");
        CliRun.Of("translate", "--train", train, "--patience", "-1", "--out", dir.File("run")).ShouldFailWithOneLine("--patience is -1", "0 or more");
        CliRun.Of("translate", "--train", train, "--ensemble", "0", "--out", dir.File("run")).ShouldFailWithOneLine("--ensemble is 0", "at least 1");
        CliRun.Of("translate", "--train", train, "--ensemble", "2", "--right-to-left", "3", "--out", dir.File("run")).ShouldFailWithOneLine("--right-to-left is 3", "0 … 2");
        CliRun.Of("translate", "--test", train, "--out", dir.File("run")).ShouldFailWithOneLine("--test and --dev need --train");
        CliRun.Of("translate", "predict", "--model", dir.File("nothing"), "--text", "ab").ShouldFailWithOneLine("file not found");
        dir.HoldsOnly("train.tsv");
    }

    [Fact]
    public void Cmudict_entries_lose_syllables_and_stress_and_keep_words_of_a_to_z()
    {
        using var dir = new TempDir();
        var path = dir.Write("lex.out", "MNCL\n(\"aardvark\" nil (((aa r d) 1) ((v aa r k) 1)))\n(\"Agha\" n (((aa) 1) ((g ax) 0)))\n" +
            "(\"a\" dt (((ax) 0)))\n(\"a\" n (((ey) 1)))\n(\"a\" v (((ey) 1)))\n(\"o'neil\" nil (((ow) 0) ((n iy l) 1)))\n");
        var items = CmuDict.Read(path);
        Assert.Equal(new[] { "a", "aardvark" }, items.Select(i => string.Concat(i.Source)));
        Assert.Equal(new[] { "ax", "ey" }, items[0].Targets.Select(t => string.Join(" ", t)));
        Assert.Equal("aa r d v aa r k", string.Join(" ", items[1].Targets.Single()));
        var bad = dir.Write("bad.out", "MNCL\n(\"x\" nil ((x) 1)\n");
        Assert.Contains("bad.out:2", Assert.ThrowsAny<Exception>(() => CmuDict.Read(bad)).Message);
    }

    [Fact]
    public void Wer_counts_items_matching_no_target_and_per_uses_the_closest_target()
    {
        var items = new List<PairItem>
        {
            new(["a"], [["ax"], ["ey"]]),
            new(["ab"], [["ae", "b"]]),
            new(["abc"], [["ae", "b", "k"], ["ae", "b"]]),
        };
        var (wer, per) = Scores.Of(items, [["ey"], ["ae", "p"], ["ae", "b", "k", "s"]]);
        Assert.Equal(2.0 / 3, wer, 12);
        // Distances 0 (to "ey", length 1), 1 (length 2), 1 (to "ae b k", length 3): 2 / 6.
        Assert.Equal(2.0 / 6, per, 12);
    }

    [Fact]
    public void The_bundled_cmudict_has_the_published_split()
    {
        var items = CmuDict.Read(BundledData.Path("g2p_cmudict/cmudict-0.4.out"));
        Assert.Equal(105_538, items.Count);
        Assert.Equal(CmuDict.TestWords, items.Where((_, i) => CmuDict.PartOf(i) == SplitPart.Test).Count());
        Assert.Equal(5_277, items.Where((_, i) => CmuDict.PartOf(i) == SplitPart.Dev).Count());
        // Ordinal order; the first test word is the first word.
        Assert.Equal("a", string.Concat(items[0].Source));
        Assert.True(items.Zip(items.Skip(1)).All(p => string.CompareOrdinal(string.Concat(p.First.Source), string.Concat(p.Second.Source)) < 0));
        Assert.Equal(40, items.SelectMany(i => i.Targets.SelectMany(t => t)).Distinct().Count());
    }
}
