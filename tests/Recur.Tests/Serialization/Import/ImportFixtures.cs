using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;
using Recur.Serialization;
using Recur.Tests.Layers.Recurrent;

namespace Recur.Tests.Serialization.Import;

/// <summary>
/// The models of tests/fixtures/import (made by tools/make_import_fixtures.py), rebuilt in Recur,
/// and helpers shared by the import tests.
/// </summary>
internal static class ImportFixtures
{
    public static string Path(string file) => System.IO.Path.Combine(AppContext.BaseDirectory, "fixtures", "import", file);

    /// <summary>embedding → 2-layer bidirectional LSTM(6) → head Dense(3) per step; ids (B, T).</summary>
    public static Sequential EmbeddingLstm(int hidden = 6, int embedding = 5, int numLayers = 2, bool bidirectional = true) => new(
        new Embedding(11, embedding, paddingIndex: 0, name: "embedding"),
        new Lstm(hidden, returnSequences: true, numLayers: numLayers, bidirectional: bidirectional, name: "lstm"),
        new Dense(3, name: "head"));

    /// <summary>Bidirectional(2-layer GRU(5)) → SimpleRNN(3) → Dense(2); modules encoder.gru, encoder.rnn, decoder.</summary>
    public static Sequential GruRnn() => new(
        new Bidirectional(new Gru(5, returnSequences: true, numLayers: 2, name: "gru")),
        new SimpleRnn(3, returnSequences: true, name: "rnn"),
        new Dense(2, name: "decoder"));

    public static readonly IReadOnlyDictionary<string, string> GruRnnPrefixes =
        new Dictionary<string, string> { ["gru"] = "encoder.gru", ["rnn"] = "encoder.rnn" };

    /// <summary>A bare 2-layer ReLU RNN(4) (unprefixed state_dict).</summary>
    public static Sequential RnnBare() => new(new SimpleRnn(4, returnSequences: true, numLayers: 2, activation: RnnActivation.Relu));

    /// <summary>Keras [Bidirectional(GRU(5, reset_after=False))] × 2 → Dense(2).</summary>
    public static Sequential GruCho() => new(
        new Gru(5, returnSequences: true, numLayers: 2, bidirectional: true, resetAfter: false, name: "gru"),
        new Dense(2, name: "dense"));

    /// <summary>The Recur model for a fixture name, unbuilt, and its per-sample input shape.</summary>
    public static (Sequential Model, int[] InputShape) Create(string name) => name switch
    {
        "embedding_lstm" => (EmbeddingLstm(), new[] { -1 }),
        "gru_rnn" => (GruRnn(), new[] { -1, 4 }),
        "rnn_bare" => (RnnBare(), new[] { -1, 3 }),
        "gru_cho" => (GruCho(), new[] { -1, 3 }),
        _ => throw new ArgumentException($"Unknown fixture '{name}'.", nameof(name)),
    };

    public static Tensor Input(string name) => SafeTensorsFile.Read(Path(name + ".io.safetensors")).Get("input");

    public static Tensor Output(string name) => SafeTensorsFile.Read(Path(name + ".io.safetensors")).Get("output");

    /// <summary>
    /// Builds the fixture's model, runs <paramref name="import"/> on it, and checks that it then predicts the
    /// fixture's output within 1e-5·max(1, max|expected|). Before the import the freshly initialized model
    /// must be far from that output, so the import is what makes the difference.
    /// </summary>
    public static void AssertImportReproducesOutput(string name, Action<Model> import)
    {
        var (model, inputShape) = Create(name);
        model.Build(inputShape);
        var expected = Output(name);
        Assert.True(MaxDifference(expected, model.Predict(Input(name))) > 1e-2f, "the untrained model already matches");

        import(model);

        TorchParityTests.AssertClose(name, expected, model.Predict(Input(name)));
    }

    /// <summary>A copy of every parameter value, to check later that nothing changed.</summary>
    public static float[][] Snapshot(Model model) => model.Parameters.Select(p => p.Value.ToArray()).ToArray();

    public static void AssertUnchanged(float[][] before, Model model)
    {
        Assert.Equal(before.Length, model.Parameters.Count);
        for (int i = 0; i < before.Length; i++)
            Assert.True(before[i].AsSpan().SequenceEqual(model.Parameters[i].Value.Span),
                $"Parameter {model.Parameters[i].Name} changed although the import failed.");
    }

    /// <summary>Largest |a − b| over two tensors of the same shape.</summary>
    public static float MaxDifference(Tensor a, Tensor b)
    {
        Assert.True(a.SameShape(b.Shape), $"shapes {Tensor.ShapeString(a.Shape)} and {Tensor.ShapeString(b.Shape)} differ");
        float max = 0;
        for (int i = 0; i < a.Length; i++) max = MathF.Max(max, MathF.Abs(a.Span[i] - b.Span[i]));
        return max;
    }
}
