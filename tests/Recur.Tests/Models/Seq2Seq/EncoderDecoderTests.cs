using Recur.Decoding;
using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Models.Seq2Seq;
using Recur.Optimizers;
using Recur.Serialization;
using Recur.Tests.Serialization;
using Recur.Tests.Testing;

namespace Recur.Tests.Models.Seq2Seq;

public class EncoderDecoderTests
{
    private static EncoderDecoderOptions Tiny(Seq2SeqCell cell, Seq2SeqAttention attention, bool bidirectional = true, int decoderLayers = 1, int encoderLayers = 1, bool inputFeeding = false) => new()
    {
        InputFeeding = inputFeeding,
        SourceVocabulary = 9, TargetVocabulary = 8, SourceSteps = 5, TargetSteps = 5, Embedding = 3,
        Cell = cell, EncoderUnits = 3, EncoderLayers = encoderLayers, Bidirectional = bidirectional,
        DecoderUnits = attention == Seq2SeqAttention.Dot ? (bidirectional ? 6 : 3) : 4, DecoderLayers = decoderLayers,
        Attention = attention, AttentionUnits = 3, Dropout = 0f,
    };

    /// <summary>Three pairs of different lengths (one source and one target filling the layout).</summary>
    private static (Tensor X, Tensor Y) Batch(EncoderDecoderOptions o)
        => EncoderDecoder.Pack(o, [[4, 5, 6, 7, 8], [5, 4], [8]], [[4, 5, 6, 7], [7], [6, 6]]);

    [Theory]
    [InlineData(Seq2SeqCell.Lstm, Seq2SeqAttention.General, true, 1, 1)]
    [InlineData(Seq2SeqCell.Lstm, Seq2SeqAttention.Dot, true, 2, 2)]
    [InlineData(Seq2SeqCell.Lstm, Seq2SeqAttention.Additive, false, 1, 1)]
    [InlineData(Seq2SeqCell.Gru, Seq2SeqAttention.General, true, 2, 1)]
    [InlineData(Seq2SeqCell.Gru, Seq2SeqAttention.None, true, 1, 2)]
    [InlineData(Seq2SeqCell.Lstm, Seq2SeqAttention.General, true, 1, 1, true)]
    [InlineData(Seq2SeqCell.Lstm, Seq2SeqAttention.Dot, false, 2, 1, true)]
    [InlineData(Seq2SeqCell.Gru, Seq2SeqAttention.Additive, true, 2, 1, true)]
    [InlineData(Seq2SeqCell.Lstm, Seq2SeqAttention.None, true, 1, 1, true)]
    public void Every_parameter_gradient_matches_finite_differences(Seq2SeqCell cell, Seq2SeqAttention attention, bool bidirectional, int decoderLayers, int encoderLayers,
        bool inputFeeding = false)
    {
        var o = Tiny(cell, attention, bidirectional, decoderLayers, encoderLayers, inputFeeding);
        var net = new EncoderDecoder(o);
        net.Build([o.SourceSteps + o.TargetSteps], new SeededRandom(3));
        var (x, _) = Batch(o);
        var mask = net.ComputeMask(x, null)!;
        // Loss = Σ over real target steps of logits ⊙ w (padded steps carry no gradient, as under a masked loss).
        var w = GradientCheck.RandomWeights(3 * o.TargetSteps * o.TargetVocabulary, 11);
        for (int b = 0; b < 3; b++)
            for (int t = 0; t < o.TargetSteps; t++)
                if (!mask[b, t]) w.AsSpan((b * o.TargetSteps + t) * o.TargetVocabulary, o.TargetVocabulary).Clear();
        double Loss() => GradientCheck.Dot(net.Forward(x).Span, w);

        net.Forward(x, training: true);
        foreach (var p in net.Parameters) p.ZeroGrad();
        net.Backward(new Tensor((float[])w.Clone(), 3, o.TargetSteps, o.TargetVocabulary));
        foreach (var part in net.Parts)
            foreach (var p in part.Parameters)
                GradientCheck.Check($"{part.Name}.{p.Name}", p.Value.Data, p.Grad.Span, Loss, eps: 1e-2f, atol: 2e-3, rtol: 2e-2, maxChecks: 40);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Stepping_the_reference_tokens_gives_the_teacher_forced_log_probabilities(bool inputFeeding)
    {
        var o = Tiny(Seq2SeqCell.Lstm, Seq2SeqAttention.Additive, decoderLayers: 2, inputFeeding: inputFeeding);
        var net = new EncoderDecoder(o);
        net.Build([o.SourceSteps + o.TargetSteps], new SeededRandom(5));
        int[][] sources = [[4, 5, 6, 7, 8], [5, 4], [8]];
        int[][] targets = [[4, 5, 6, 7], [7], [6, 6]];
        var (x, _) = EncoderDecoder.Pack(o, sources, targets);
        var logits = net.Forward(x);
        int V = o.TargetVocabulary, Tt = o.TargetSteps;
        // The stepper's softmax leaves out padding, start and unknown (never a target token).
        var expected = logits.ToArray();
        EncoderDecoderStepper.ExcludeReserved(expected, 3 * Tt, V);
        LogSoftmax.Rows(expected, expected, 3 * Tt, V);

        var stepper = new EncoderDecoderStepper(net);
        var state = stepper.Encode(sources);
        var logp = new float[3 * V];
        for (int t = 0; t < Tt; t++)
        {
            // Previous token: start, then the reference (padding past a row's end, compared only where real).
            int[] previous = [.. Enumerable.Range(0, 3).Select(b => t == 0 ? EncoderDecoder.Start : t - 1 < targets[b].Length ? targets[b][t - 1] : EncoderDecoder.End)];
            state = stepper.Step(previous, state, logp);
            for (int b = 0; b < 3; b++)
                if (t <= targets[b].Length)
                    for (int v = 0; v < V; v++) Assert.Equal(expected[(b * Tt + t) * V + v], logp[b * V + v], 4);
            Assert.All(new[] { EncoderDecoder.Pad, EncoderDecoder.Start, EncoderDecoder.Unknown }, id => Assert.Equal(float.NegativeInfinity, logp[id]));
        }
        // The weights of a step are a distribution over the real source steps.
        var weights = stepper.AttentionWeights([EncoderDecoder.Start, EncoderDecoder.Start, EncoderDecoder.Start], stepper.Encode(sources))!;
        Assert.Equal(new[] { 3, 5 }, weights.ShapeArray);
        Assert.Equal(1.0, Enumerable.Range(0, 5).Sum(j => weights[1, j]), 5);
        Assert.Equal(0f, weights[2, 1]);
    }

    [Fact]
    public void A_batch_cut_to_its_longest_pair_gives_the_logits_of_the_full_layout()
    {
        // Rows 1 and 2 alone are shorter than the layout (sources of 2 and 1, targets of 1 and 2):
        // that batch runs for 2 source and 3 target steps; the same rows in a full batch run for 5 and 5.
        var o = Tiny(Seq2SeqCell.Lstm, Seq2SeqAttention.General, decoderLayers: 2);
        var net = new EncoderDecoder(o);
        net.Build([o.SourceSteps + o.TargetSteps], new SeededRandom(4));
        var (x, _) = Batch(o);
        var full = net.Forward(x);                                   // (3, Tt, V)
        int width = o.SourceSteps + o.TargetSteps, TtV = o.TargetSteps * o.TargetVocabulary;
        var shortRows = new Tensor(x.ToArray()[width..], 2, width);
        var cut = net.Forward(shortRows);
        var mask = net.ComputeMask(shortRows, null)!;
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < o.TargetSteps; t++)
                for (int v = 0; v < o.TargetVocabulary; v++)
                {
                    float got = cut[b, t, v];
                    if (mask[b, t]) Assert.Equal(full.Span[(b + 1) * TtV + t * o.TargetVocabulary + v], got, 5);
                    else if (t >= 3) Assert.Equal(0f, got); // past the batch's longest target: not computed
                }
    }

    [Fact]
    public void Pack_refuses_what_does_not_fit_the_layout()
    {
        var o = Tiny(Seq2SeqCell.Lstm, Seq2SeqAttention.General);
        Assert.Contains("at most 4 fit", Assert.Throws<ArgumentException>("targets", () => EncoderDecoder.Pack(o, [[4]], [[4, 4, 4, 4, 4]])).Message);
        Assert.Contains("expected 1 to 5", Assert.Throws<ArgumentException>("sources", () => EncoderDecoder.Pack(o, [[4, 4, 4, 4, 4, 4]], [[4]])).Message);
        Assert.Throws<ArgumentException>("sources", () => EncoderDecoder.Pack(o, [[]], [[4]]));
        Assert.Throws<ArgumentOutOfRangeException>("DecoderUnits", () => new EncoderDecoder(o with { Attention = Seq2SeqAttention.Dot, DecoderUnits = 5 }));
    }

    /// <summary>Random token sequences and their reverses: the classic check that attention learns an alignment.</summary>
    internal static (int[][] Sources, int[][] Targets) ReverseTask(int n, int seed, int vocab = 8, int minLength = 2, int maxLength = 6)
    {
        var r = new SeededRandom(seed);
        var sources = new int[n][];
        for (int i = 0; i < n; i++)
            sources[i] = Enumerable.Range(0, minLength + r.NextInt(maxLength - minLength + 1)).Select(_ => EncoderDecoder.FirstToken + r.NextInt(vocab)).ToArray();
        return (sources, sources.Select(s => s.Reverse().ToArray()).ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reversing_sequences_trains_to_every_test_item_exactly_right(bool inputFeeding)
    {
        var (trainS, trainT) = ReverseTask(1500, 1);
        var (testS, testT) = ReverseTask(100, 2);
        var o = new EncoderDecoderOptions
        {
            SourceVocabulary = EncoderDecoder.FirstToken + 8, TargetVocabulary = EncoderDecoder.FirstToken + 8, SourceSteps = 6, TargetSteps = 7,
            Embedding = 16, EncoderUnits = 32, DecoderUnits = 32, Attention = Seq2SeqAttention.General, Dropout = 0f, InputFeeding = inputFeeding,
        };
        var net = new EncoderDecoder(o);
        var model = new Sequential(seed: 7, net);
        model.Compile(new Adam(1e-2f), new LabelSmoothedCrossEntropy(0f), metrics: null, clipNorm: 5f);
        var (x, y) = EncoderDecoder.Pack(o, trainS, trainT);
        model.Output = TextWriter.Null;
        model.Fit(x, y, epochs: 12, batchSize: 32, verbose: Recur.Training.Verbosity.Silent);

        var stepper = new EncoderDecoderStepper(net);
        var greedy = GreedyDecoder.Decode(stepper, stepper.Encode(testS), EncoderDecoder.Start, EncoderDecoder.End, maxLength: 10);
        int right = Enumerable.Range(0, testS.Length).Count(i => greedy[i].Tokens.SequenceEqual(testT[i]) && greedy[i].Finished);
        Assert.Equal(testS.Length, right);
        var beam = BeamSearch.Decode(stepper, stepper.Encode(testS), EncoderDecoder.Start, EncoderDecoder.End, new BeamSearchOptions { Width = 3, MaxLength = 10 });
        Assert.All(Enumerable.Range(0, testS.Length), i => Assert.Equal(testT[i], beam[i][0].Tokens));
    }

    [Fact]
    public void Input_feeding_changes_the_decoder_input_and_the_outputs()
    {
        // The same weights but the fed half of the decoder's input weight: the fed h̃ must reach every step after the first.
        var o = Tiny(Seq2SeqCell.Lstm, Seq2SeqAttention.General, inputFeeding: true);
        var net = new EncoderDecoder(o);
        net.Build([o.SourceSteps + o.TargetSteps], new SeededRandom(6));
        Assert.Equal(o.Embedding + o.DecoderUnits, net.Decoder.InputSize);
        var (x, _) = Batch(o);
        var before = net.Forward(x);
        var wih = net.Decoder.GetParameter("weight_ih_l0").Value; // (4H, E + H_d)
        int I = o.Embedding + o.DecoderUnits;
        for (int g = 0; g < wih.Size(0); g++)
            for (int j = o.Embedding; j < I; j++) wih.Span[g * I + j] = 0f;
        var after = net.Forward(x);
        int V = o.TargetVocabulary;
        for (int v = 0; v < V; v++) Assert.Equal(before[0, 0, v], after[0, 0, v], 6); // h̃_0 = 0: the first step reads no fed state
        Assert.NotEqual(before[0, 1, 0], after[0, 1, 0]);
    }

    [Fact]
    public void Length_keys_sort_by_source_then_target_length()
    {
        var o = Tiny(Seq2SeqCell.Lstm, Seq2SeqAttention.General);
        var (x, _) = Batch(o); // sources of 5, 2, 1 tokens; decoder inputs of 5, 2, 3 (start + target)
        Assert.Equal(new[] { 5 * 6 + 5, 2 * 6 + 2, 1 * 6 + 3 }, EncoderDecoder.LengthKeys(o, x));
        Assert.Throws<ArgumentException>("packed", () => EncoderDecoder.LengthKeys(o, Tensor.Zeros(2, 9)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Save_and_load_give_the_same_outputs_and_bad_files_are_named(bool inputFeeding)
    {
        var o = Tiny(Seq2SeqCell.Gru, Seq2SeqAttention.Additive, inputFeeding: inputFeeding);
        var net = new EncoderDecoder(o);
        net.Build([o.SourceSteps + o.TargetSteps], new SeededRandom(9));
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "m.recur");
        EncoderDecoderFile.Save(net, path);
        Assert.Equal(inputFeeding ? "2" : "1", SafeTensorsFile.Read(path).Metadata["format_version"]); // a reader of version 1 refuses an input-fed network
        var loaded = EncoderDecoderFile.Load(path);
        Assert.Equal(o, loaded.Options);
        var (x, _) = Batch(o);
        Assert.Equal(net.Forward(x).ToArray(), loaded.Forward(x).ToArray());

        string other = Path.Combine(dir.Path, "other.safetensors");
        SafeTensorsWriter.Write(other, [new("a", Tensor.Zeros(2))]);
        Assert.Contains("expected 'recur-encoder-decoder'", Assert.Throws<ModelFormatException>(() => EncoderDecoderFile.Load(other)).Message);
    }
}
