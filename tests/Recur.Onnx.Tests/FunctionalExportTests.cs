using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;

namespace Recur.Onnx.Tests;

/// <summary>Functional graphs (several inputs and outputs, merge layers, shared layers, merged masks) run in ONNX Runtime as <c>Predict</c> does.</summary>
public sealed class FunctionalExportTests : IDisposable
{
    private const int B = 4, T = 6, V = 11;
    private static readonly int[] Lengths = [6, 4, 1, 3];
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-onnx-functional-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Text ids and numeric features: masked biLSTM over ids, Concatenate with the features, two heads.</summary>
    private static Functional TextAndNumbers()
    {
        var text = Functional.Input([-1], "text");
        var numbers = Functional.Input([3], "numbers");
        var encoded = new Lstm(5, bidirectional: true, name: "encoder").Apply(new Embedding(V, 4, maskZero: true, name: "ids").Apply(text));
        var joined = new Concatenate(name: "joined").Apply(encoded, new Dense(4, Activation.Tanh, name: "features").Apply(numbers));
        var label = new Dense(1, Activation.Sigmoid, name: "label").Apply(joined);
        var score = new Dense(2, name: "score").Apply(joined);
        return new Functional([text, numbers], [label, score], seed: 3, name: "text_and_numbers");
    }

    [Fact]
    public void Two_inputs_and_two_outputs_run_as_predict_with_the_outputs_first_and_named()
    {
        var model = TextAndNumbers();
        var ids = TestData.Ids(B, T, V, Lengths, 7);
        var numbers = TestData.Sequences(B, 1, 3, null, 8).Reshape(B, 3);
        var expected = model.Predict([ids, numbers]);

        using var session = OnnxRuntimeRun.Session(model.ToOnnx());
        Assert.Equal(["text", "numbers"], session.InputMetadata.Keys);
        Assert.Equal(["label", "score"], session.OutputMetadata.Keys.Take(2));
        var actual = OnnxRuntimeRun.Run(session, OnnxRuntimeRun.Ids("text", ids), OnnxRuntimeRun.Floats("numbers", numbers));
        OnnxRuntimeRun.AssertClose(expected[0], actual["label"], "label");
        OnnxRuntimeRun.AssertClose(expected[1], actual["score"], "score");
    }

    [Fact]
    public void A_shared_lstm_added_and_multiplied_over_two_masked_sequences_runs_as_predict()
    {
        // The same LSTM reads both sequences (its nodes once per call, its weights once); the masks are ANDed.
        var a = Functional.Input([-1, 3], "a");
        var b = Functional.Input([-1, 3], "b");
        var shared = new Lstm(4, returnSequences: true, name: "shared");
        var ha = shared.Apply(new Masking(0f, name: "mask_a").Apply(a));
        var hb = shared.Apply(new Masking(0f, name: "mask_b").Apply(b));
        var sum = new Add(name: "sum").Apply(ha, hb);
        var product = new Multiply(name: "product").Apply(sum, ha);
        var model = new Functional([a, b], [new Lstm(3, name: "reader").Apply(product)], seed: 5);

        var xa = Padded(TestData.Sequences(B, T, 3, null, 9), Lengths);
        var xb = Padded(TestData.Sequences(B, T, 3, null, 10), [5, 6, 2, 2]); // the AND of the masks is neither one: [5, 4, 1, 2]
        var expected = model.Predict([xa, xb])[0];
        byte[] onnx = model.ToOnnx();
        using var session = OnnxRuntimeRun.Session(onnx);
        var actual = OnnxRuntimeRun.Run(session, OnnxRuntimeRun.Floats("a", xa), OnnxRuntimeRun.Floats("b", xb))["output"];
        OnnxRuntimeRun.AssertClose(expected, actual, "shared LSTM, Add, Multiply");
        // A layer called twice has no state inputs (its two calls would share them); the reader has its own.
        Assert.Equal(["a", "b"], session.InputMetadata.Keys);
        Assert.DoesNotContain(session.OverridableInitializerMetadata.Keys, k => k.StartsWith("shared.", StringComparison.Ordinal));
        Assert.Contains("reader.h0", session.OverridableInitializerMetadata.Keys);

        // Each weight once: W, R, B of each LSTM, as many values as the model has parameters, and
        // both calls of the shared LSTM read the same three initializers.
        var weights = Weights(onnx);
        Assert.Equal(6, weights.Count);
        Assert.Equal(model.Parameters.Sum(p => (long)p.Value.Length), weights.Sum(Size));
        var calls = Graph(onnx).Node.Where(n => n.OpType == "LSTM" && n.Name.StartsWith("shared/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, calls.Count);
        Assert.Equal(calls[0].Input.Skip(1).Take(3), calls[1].Input.Skip(1).Take(3));
    }

    [Fact]
    public void A_shared_embedding_bidirectional_lstm_and_time_distributed_dense_write_each_weight_once_and_run_as_predict()
    {
        var a = Functional.Input([-1], "a");
        var b = Functional.Input([-1], "b");
        var embed = new Embedding(V, 4, maskZero: true, name: "embed");
        var encoder = new Bidirectional(new Lstm(3, returnSequences: true), name: "encoder");
        var project = new TimeDistributed(new Dense(2, Activation.Tanh), name: "project");
        var ha = project.Apply(encoder.Apply(embed.Apply(a)));
        var hb = project.Apply(encoder.Apply(embed.Apply(b)));
        var joined = new Concatenate(name: "joined").Apply(ha, hb);
        var model = new Functional([a, b], [new Dense(1, name: "head").Apply(new GlobalMaxPooling1D(name: "pool").Apply(joined))], seed: 8);

        var ia = TestData.Ids(B, T, V, Lengths, 13);
        var ib = TestData.Ids(B, T, V, [6, 6, 2, 2], 14);
        var expected = model.Predict([ia, ib])[0];
        byte[] onnx = model.ToOnnx();
        using var session = OnnxRuntimeRun.Session(onnx);
        var actual = OnnxRuntimeRun.Run(session, OnnxRuntimeRun.Ids("a", ia), OnnxRuntimeRun.Ids("b", ib))["output"];
        OnnxRuntimeRun.AssertClose(expected, actual, "shared Embedding, Bidirectional LSTM, TimeDistributed Dense");

        // The table, the LSTM's W, R, B (both directions in each), the projection's and the head's weight and bias.
        var weights = Weights(onnx);
        Assert.Equal(8, weights.Count);
        Assert.Equal(model.Parameters.Sum(p => (long)p.Value.Length), weights.Sum(Size));
        Assert.Equal(2, Graph(onnx).Node.Count(n => n.OpType == "Gather" && n.Input[0] == "embed/weight"));
    }

    private static global::Onnx.GraphProto Graph(byte[] onnx) => global::Onnx.ModelProto.Parser.ParseFrom(onnx).Graph;

    /// <summary>The weights in a file: float initializers of rank ≥ 1 that are not the defaults of state inputs.</summary>
    private static List<global::Onnx.TensorProto> Weights(byte[] onnx)
    {
        var graph = Graph(onnx);
        var inputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        return graph.Initializer.Where(t => t.DataType == (int)OnnxElementType.Float && t.Dims.Count > 0 && !inputs.Contains(t.Name)).ToList();
    }

    private static long Size(global::Onnx.TensorProto tensor) => tensor.Dims.Aggregate(1L, (n, d) => n * d);

    [Fact]
    public void Concatenate_along_time_runs_as_predict()
    {
        var a = Functional.Input([-1, 3], "a");
        var b = Functional.Input([-1, 3], "b");
        var joined = new Concatenate(axis: 1, name: "steps").Apply(a, b);
        var model = new Functional([a, b], [new Gru(4, name: "gru").Apply(joined)], seed: 6);
        var xa = TestData.Sequences(B, T, 3, null, 11);
        var xb = TestData.Sequences(B, 2, 3, null, 12);
        using var session = OnnxRuntimeRun.Session(model.ToOnnx());
        var actual = OnnxRuntimeRun.Run(session, OnnxRuntimeRun.Floats("a", xa), OnnxRuntimeRun.Floats("b", xb))["output"];
        OnnxRuntimeRun.AssertClose(model.Predict([xa, xb])[0], actual, "Concatenate on the time axis");
    }

    /// <summary>Zeros after each row's length (what Masking(0) masks).</summary>
    private static Tensor Padded(Tensor x, int[] lengths)
    {
        int features = x.Size(2);
        for (int b = 0; b < x.Size(0); b++)
            for (int t = lengths[b]; t < x.Size(1); t++) x.Span.Slice((b * x.Size(1) + t) * features, features).Clear();
        return x;
    }
}
