using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Models.Seq2Seq;
using Recur.Optimizers;
using Recur.Tests.Testing;
using Recur.Training;

namespace Recur.Tests.Models;

public class FunctionalTests
{
    private static float[] Weights(Model m) => m.Parameters.SelectMany(p => p.Value.ToArray()).ToArray();

    private static float[] Grads(Model m) => m.Parameters.SelectMany(p => p.Grad.ToArray()).ToArray();

    /// <summary>The same chain of layers as a Sequential and as a Functional model, same seed.</summary>
    private static (Model Sequential, Model Functional) Twins(Func<Layer[]> layers, int[] inputShape, ulong seed)
    {
        var seq = new Sequential(seed, layers()) { Output = TextWriter.Null };
        var chain = layers();
        var input = Functional.Input(inputShape);
        var x = input;
        foreach (var l in chain) x = l.Apply(x);
        return (seq, new Functional([input], [x], seed) { Output = TextWriter.Null });
    }

    [Fact]
    public void A_chain_gives_the_weights_outputs_gradients_and_trained_weights_of_the_same_Sequential_bit_for_bit()
    {
        var (x, y, _) = ToyData.PaddedTokens(64, 9, vocab: 12, seed: 3);
        Layer[] Layers() => [new Embedding(12, 6, maskZero: true), new Lstm(7, returnSequences: true), new Dropout(0.25f), new Gru(5), new Dense(1)];
        var (seq, fun) = Twins(Layers, [-1], seed: 11);
        seq.Build(9);
        Assert.Equal(Weights(seq), Weights(fun));
        Assert.Equal(seq.Predict(x).ToArray(), fun.Predict(x).ToArray());

        foreach (var m in new[] { seq, fun }) m.Compile(new Adam(0.01f), Loss.BinaryCrossEntropy(fromLogits: true), Metric.BinaryAccuracy);
        seq.TrainOnBatch(x, y);
        fun.TrainOnBatch(x, y);
        Assert.Equal(Grads(seq), Grads(fun));
        var hs = seq.Fit(x, y, epochs: 3, batchSize: 16, validationSplit: 0.25, verbose: Verbosity.Silent);
        var hf = fun.Fit(x, y, epochs: 3, batchSize: 16, validationSplit: 0.25, verbose: Verbosity.Silent);
        Assert.Equal(Weights(seq), Weights(fun));
        Assert.Equal(hs["val_loss"], hf["val_loss"]);
        Assert.NotEqual(Weights(seq), Weights(Twins(Layers, [-1], seed: 12).Functional)); // the seed matters
    }

    /// <summary>loss = Σ output ⊙ r for a fixed random r: its gradient with respect to the output is r.</summary>
    private static void CheckParameterGradients(Model model, IReadOnlyList<Tensor> inputs, int seed)
    {
        var outputs = model.ForwardPass(inputs, null, training: false, out _);
        var r = outputs.Select((o, k) => GradientCheck.RandomWeights(o.Length, seed + k)).ToArray();
        model.ZeroGrad();
        model.BackwardPass(outputs.Select((o, k) => (Tensor?)new Tensor(r[k], o.ShapeArray)).ToArray());
        double Loss()
        {
            var ys = model.InferencePass(inputs, null, out _);
            return ys.Select((o, k) => GradientCheck.Dot(o.Span, r[k])).Sum();
        }
        foreach (var p in model.Parameters)
            GradientCheck.Check(p.Name, p.Value.Data, p.Grad.Span, Loss, eps: 1e-2f);
    }

    [Fact]
    public void A_shared_encoder_decoder_back_propagates_each_of_its_calls_finite_differences()
    {
        // Its parts (encoder, decoder, attention, …) are called inside its own call: both calls must stay pending.
        var o = new EncoderDecoderOptions
        {
            SourceVocabulary = 9, TargetVocabulary = 8, SourceSteps = 5, TargetSteps = 4, Embedding = 3, EncoderUnits = 3,
            DecoderUnits = 4, Attention = Seq2SeqAttention.General, Dropout = 0f,
        };
        int[][] targets = [[4, 5, 6], [7], [6, 6]];
        var (x1, _) = EncoderDecoder.Pack(o, [[4, 5, 6, 7, 8], [5, 4], [8]], targets);
        var (x2, _) = EncoderDecoder.Pack(o, [[8, 7], [4, 4, 4], [6, 5, 4, 7]], targets);
        var a = Functional.Input([o.SourceSteps + o.TargetSteps], "a");
        var b = Functional.Input([o.SourceSteps + o.TargetSteps], "b");
        var net = new EncoderDecoder(o);
        var model = new Functional([a, b], [new Add().Apply(net.Apply(a), net.Apply(b))], seed: 8);

        var outputs = model.ForwardPass([x1, x2], null, training: false, out var masks);
        // Σ output ⊙ r over the real target steps (padded steps carry no gradient, as under a masked loss).
        var r = GradientCheck.RandomWeights(outputs[0].Length, 21);
        for (int i = 0; i < 3; i++)
            for (int t = 0; t < o.TargetSteps; t++)
                if (!masks[0]![i, t]) r.AsSpan((i * o.TargetSteps + t) * o.TargetVocabulary, o.TargetVocabulary).Clear();
        model.ZeroGrad();
        model.BackwardPass([new Tensor((float[])r.Clone(), outputs[0].ShapeArray)]);
        Assert.All(net.InnerLayers, part => Assert.Equal(0, part.PendingCalls));
        double Loss() => GradientCheck.Dot(model.InferencePass([x1, x2], null, out _)[0].Span, r);
        foreach (var p in model.Parameters)
            GradientCheck.Check(p.Name, p.Value.Data, p.Grad.Span, Loss, eps: 1e-2f, atol: 2e-3, rtol: 2e-2, maxChecks: 30);
    }

    [Fact]
    public void A_shared_layer_sums_the_gradients_of_its_calls_finite_differences()
    {
        var a = Functional.Input([-1, 3], "a");
        var b = Functional.Input([-1, 3], "b");
        var shared = new Lstm(4, returnSequences: true, name: "shared");
        var sum = new Add().Apply(shared.Apply(a), shared.Apply(b));
        var model = new Functional([a, b], [new Dense(2).Apply(sum)], seed: 5);
        Assert.Equal(2, model.Layers.Count(l => l is not Add)); // the LSTM once, the head
        var r = new SeededRandom(8);
        CheckParameterGradients(model, [GradientCheck.RandomTensor(r, 1f, 2, 5, 3), GradientCheck.RandomTensor(r, 1f, 2, 5, 3)], seed: 21);
    }

    [Fact]
    public void Concatenate_and_Multiply_of_two_inputs_pass_finite_differences()
    {
        var seqIn = Functional.Input([-1, 2], "sequence");
        var numbers = Functional.Input([3], "numbers");
        var h = new Gru(4, name: "gru").Apply(seqIn);                       // (4)
        var n = new Dense(4, Activation.Tanh, name: "numbers_dense").Apply(numbers); // (4)
        var gated = new Multiply().Apply(h, n);
        var joined = new Concatenate().Apply(gated, n, h);                  // (12)
        var model = new Functional([seqIn, numbers], [new Dense(3, name: "head").Apply(joined)], seed: 2);
        var r = new SeededRandom(9);
        CheckParameterGradients(model, [GradientCheck.RandomTensor(r, 1f, 3, 4, 2), GradientCheck.RandomTensor(r, 1f, 3, 3)], seed: 31);
    }

    [Fact]
    public void Masks_travel_along_the_edges_and_merge_by_and()
    {
        var tokens = Functional.Input([-1], "tokens");
        var e = new Embedding(9, 3, maskZero: true).Apply(tokens);
        var features = Functional.Input([-1, 3], "features");
        var m = new Masking(0f).Apply(features);
        var joined = new Concatenate().Apply(e, m);
        var model = new Functional([tokens, features], [new Lstm(2, returnSequences: true).Apply(joined)], seed: 1);
        var ids = new Tensor([1f, 2f, 0f, 3f, 4f, 5f], 2, 3);
        var f = Tensor.Full(1f, 2, 3, 3);
        f.Span.Slice((1 * 3 + 1) * 3, 3).Clear(); // sample 1, step 1: masked by Masking
        model.ForwardPass([ids, f], null, training: false, out var masks);
        Assert.Equal([true, true, false, true, false, true], masks[0]!.Flags.ToArray());
    }

    [Fact]
    public void A_two_input_model_trains_saves_loads_and_predicts_the_same()
    {
        var (ids, y, _) = ToyData.PaddedTokens(96, 7, vocab: 10, seed: 4);
        var r = new SeededRandom(2);
        var numbers = GradientCheck.RandomTensor(r, 1f, 96, 2);
        // The label: token 1 occurs, or the first number is above 0.5.
        for (int i = 0; i < 96; i++) if (numbers.Span[i * 2] > 0.5f) y.Span[i] = 1f;
        var text = Functional.Input([-1], "text");
        var nums = Functional.Input([2], "numbers");
        var h = new Lstm(8, name: "encoder").Apply(new Embedding(10, 6, maskZero: true).Apply(text));
        var joined = new Concatenate(name: "join").Apply(h, new Dense(4, Activation.Relu, name: "numeric").Apply(nums));
        var model = new Functional([text, nums], [new Dense(1, name: "label").Apply(joined)], seed: 3, name: "two_inputs") { Output = TextWriter.Null };
        model.Compile(new Adam(0.02f), Loss.BinaryCrossEntropy(fromLogits: true), Metric.BinaryAccuracy);
        var before = model.Evaluate([ids, numbers], [y])["binary_accuracy"];
        var history = model.Fit([ids, numbers], [y], epochs: 25, batchSize: 16, verbose: Verbosity.Silent);
        var after = model.Evaluate([ids, numbers], [y]);
        Assert.True(after["binary_accuracy"] > 0.85 && after["binary_accuracy"] > before, $"accuracy {before:F3} → {after["binary_accuracy"]:F3}");
        Assert.True(history["loss"][^1] < history["loss"][0]);

        string path = Path.Combine(Path.GetTempPath(), $"recur-functional-{Guid.NewGuid():N}.recur");
        try
        {
            model.Save(path);
            var loaded = Assert.IsType<Functional>(Model.Load(path));
            Assert.Equal(["text", "numbers"], loaded.Inputs.Select(i => i.Name));
            Assert.Equal(model.Predict([ids, numbers])[0].ToArray(), loaded.Predict([ids, numbers])[0].ToArray());
            Assert.Equal(model.Summary(), loaded.Summary());
            // Training resumes exactly: one more epoch on both gives the same weights.
            model.Fit([ids, numbers], [y], epochs: 1, batchSize: 16, shuffle: false, verbose: Verbosity.Silent);
            loaded.Output = TextWriter.Null;
            loaded.Fit([ids, numbers], [y], epochs: 1, batchSize: 16, shuffle: false, verbose: Verbosity.Silent);
            Assert.Equal(Weights(model), Weights(loaded));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_model_of_two_outputs_minimises_the_weighted_sum_of_their_losses()
    {
        var (x, y) = ToyData.SignOfSum(64, 5, seed: 6);
        var sums = new Tensor(Enumerable.Range(0, 64).Select(i => Enumerable.Range(0, 5).Sum(t => x.Span[i * 5 + t])).ToArray(), 64, 1);
        var input = Functional.Input([-1, 1], "x");
        var h = new Lstm(6, name: "body").Apply(input);
        var sign = new Dense(1, name: "sign").Apply(h);
        var sum = new Dense(1, name: "sum").Apply(h);
        var model = new Functional([input], [sign, sum], seed: 4) { Output = TextWriter.Null };
        model.Compile(new Adam(0.01f), [Loss.BinaryCrossEntropy(fromLogits: true), Loss.MeanSquaredError()], [1f, 0.5f]);
        var logs = model.Evaluate([x], [y, sums]);
        Assert.Equal(logs["sign_loss"] + 0.5 * logs["sum_loss"], logs["loss"], 6);
        var outputs = model.Predict([x]);
        Assert.Equal(2, outputs.Count);
        Assert.Equal(Loss.MeanSquaredError().Compute(outputs[1], sums).Value, logs["sum_loss"], 5);
        var h0 = model.Fit([x], [y, sums], epochs: 8, batchSize: 16, verbose: Verbosity.Silent);
        Assert.True(h0["sum_loss"][^1] < h0["sum_loss"][0] && h0["sign_loss"][^1] < h0["sign_loss"][0]);
        Assert.Throws<InvalidOperationException>(() => model.Predict(x)); // two outputs: the list form
    }

    [Fact]
    public void Summary_lists_every_call_with_its_inputs()
    {
        var a = Functional.Input([-1, 3], "a");
        var b = Functional.Input([-1, 3], "b");
        var shared = new Lstm(4, name: "shared");
        var model = new Functional([a, b], [new Add(name: "sum").Apply(shared.Apply(a), shared.Apply(b))]);
        var s = model.Summary();
        Assert.Contains("a (Input)", s);
        Assert.Contains("0 (shared)", s);
        Assert.Contains("shared, shared", s); // the Add reads both calls
        Assert.Contains("Connected to", s);
        Assert.Contains("Total params: 144", s); // weight_ih 16×3, weight_hh 16×4, two biases of 16: counted once
    }

    [Fact]
    public void Bad_graphs_are_refused_with_the_names_and_shapes_before_anything_is_built()
    {
        var a = Functional.Input([-1, 3], "a");
        var b = Functional.Input([-1, 3], "b");
        var dense = new Dense(2, name: "head");
        var out1 = dense.Apply(a);
        var e = Assert.Throws<ArgumentException>(() => new Functional([a, b], [out1]));
        Assert.Contains("input 'b' is not connected to any output", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Functional([b], [out1]));
        Assert.Contains("input 'a'", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Functional([a], [new Dense(2, name: "head").Apply(out1)]));
        Assert.Contains("two layers named 'head'", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Dense(1, name: "d").Apply(Functional.Input([2, 3, 4])));
        Assert.Contains("Layer 'd' (Dense) cannot take input (batch, 2, 3, 4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => dense.Apply(Functional.Input([-1, 5], "c")));
        Assert.Contains("Layer 'head' (Dense) is shared", e.Message);
        Assert.Contains("(batch, T, 3)", e.Message);
        Assert.Contains("(batch, T, 5)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Add().Apply(a, Functional.Input([-1, 4])));
        Assert.Contains("(batch, T, 3) and (batch, T, 4)", e.Message);
        Assert.Throws<ArgumentException>(() => new Functional([out1], [out1]));
        Assert.False(dense.IsBuilt); // nothing was built by a refused graph

        var model = new Functional([a], [out1]);
        e = Assert.Throws<ArgumentException>(() => model.Predict(Tensor.Zeros(2, 4, 5)));
        Assert.Contains("head", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Predict([Tensor.Zeros(2, 4, 3), Tensor.Zeros(2, 4, 3)]));
        Assert.Contains("takes 1 input", e.Message);
    }

    [Fact]
    public void A_layer_called_twice_in_one_pass_is_back_propagated_per_call()
    {
        // Tied weights: the same Dense maps x and then its own output (y = W(Wx + b) + b).
        var x = Functional.Input([3], "x");
        var tied = new Dense(3, Activation.Tanh, name: "tied");
        var model = new Functional([x], [tied.Apply(tied.Apply(x))], seed: 9);
        CheckParameterGradients(model, [GradientCheck.RandomTensor(new SeededRandom(1), 1f, 4, 3)], seed: 41);
        Assert.Equal(0, tied.PendingCalls);
    }
}
