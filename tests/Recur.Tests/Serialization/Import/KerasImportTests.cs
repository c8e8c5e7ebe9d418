using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;
using Recur.Serialization;
using Recur.Tests.Layers.Recurrent;
using static Recur.Tests.Serialization.Import.ImportFixtures;

namespace Recur.Tests.Serialization.Import;

/// <summary>
/// Keras get_weights() arrays (tests/fixtures/import/*.npz, converted from the PyTorch weights by
/// the documented transpose/reorder, written independently in Python) must reproduce the same
/// predictions; the inverse mapping must give back those arrays; the Cho-form GRU is checked
/// against Keras' equations written out here.
/// </summary>
public class KerasImportTests
{
    [Theory]
    [InlineData("embedding_lstm")]
    [InlineData("gru_rnn")]
    [InlineData("rnn_bare")]
    [InlineData("gru_cho")]
    public void Imported_model_predicts_the_reference_output(string name)
        => AssertImportReproducesOutput(name, model => model.ImportKeras(Path(name + ".npz")));

    [Theory]
    [InlineData("embedding_lstm")]
    [InlineData("gru_rnn")]
    [InlineData("rnn_bare")]
    public void Export_of_pytorch_weights_gives_the_fixture_arrays_bit_for_bit(string name)
    {
        var (model, inputShape) = Create(name);
        model.ImportPyTorch(Path(name + ".safetensors"), name == "gru_rnn" ? GruRnnPrefixes : null, inputShape: inputShape);
        var npz = NpzFile.Read(Path(name + ".npz"));

        var arrays = KerasImport.ToKerasArrays(model);

        Assert.Equal(npz.ArraysByNumericSuffix.Count, arrays.Count);
        for (int k = 0; k < arrays.Count; k++)
        {
            var expected = npz.ArraysByNumericSuffix[k].Value;
            Assert.True(expected.SameShape(arrays[k].Shape), $"arr_{k}: {arrays[k]} vs {expected}");
            Assert.True(expected.Span.SequenceEqual(arrays[k].Span), $"arr_{k} differs");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gru_round_trip_through_keras_arrays_keeps_predictions(bool resetAfter)
    {
        // PyTorch-style init gives every bias, b_hh included, a non-zero value.
        Sequential Make(ulong seed)
        {
            var model = new Sequential(seed, new Gru(5, returnSequences: true, numLayers: 2, bidirectional: true,
                resetAfter: resetAfter, initialization: RecurrentInit.PyTorch, name: "gru"), new Dense(2, name: "dense"));
            model.Build(-1, 3);
            return model;
        }
        var source = Make(7);
        var target = Make(8);
        var x = Input("gru_cho");
        Assert.True(MaxDifference(source.Predict(x), target.Predict(x)) > 1e-2f);

        var arrays = KerasImport.ToKerasArrays(source);
        target.ImportKeras(arrays);

        Assert.Equal(resetAfter ? new[] { 2, 15 } : new[] { 15 }, arrays[2].ShapeArray);
        TorchParityTests.AssertClose("round trip", source.Predict(x), target.Predict(x));
        var bhh = target.Layers[0].GetParameter("bias_hh_l1_reverse").Value;
        if (resetAfter) Assert.Equal(source.Layers[0].GetParameter("bias_hh_l1_reverse").Value.ToArray(), bhh.ToArray());
        else Assert.All(bhh.ToArray(), v => Assert.Equal(0f, v)); // folded into bias_ih: Keras has no recurrent bias
        var again = KerasImport.ToKerasArrays(target);
        for (int k = 0; k < arrays.Count; k++) Assert.Equal(arrays[k].ToArray(), again[k].ToArray());
    }

    /// <summary>
    /// Keras' <c>dropout</c> and <c>recurrent_dropout</c> carry no weights (get_weights() is the
    /// same list with or without them): a Recur layer given the rates of the Keras config takes the
    /// same arrays, predicts the reference output (inference ignores the rates) and drops in training.
    /// </summary>
    [Fact]
    public void A_layer_with_the_keras_dropout_rates_takes_the_same_arrays()
    {
        var gru = new Gru(5, new RecurrentOptions
        {
            ReturnSequences = true, NumLayers = 2, Bidirectional = true, InputDropout = 0.2f, RecurrentDropout = 0.3f,
        }, resetAfter: false, name: "gru");
        var model = new Sequential(gru, new Dense(2, name: "dense"));
        model.Build(-1, 3);
        model.ImportKeras(Path("gru_cho.npz"));
        var x = Input("gru_cho");
        TorchParityTests.AssertClose("gru_cho with dropout rates", Output("gru_cho"), model.Predict(x));
        Assert.NotEqual(gru.Infer(x).Output.ToArray(), gru.ForwardWithState(x, training: true).Output.ToArray());
    }

    [Fact]
    public void Cho_gru_matches_keras_equations_worked_by_hand()
    {
        const int I = 2, H = 2, T = 3;
        // Keras layout, gate columns z | r | h, each H wide. Distinct values so any mix-up shows.
        var kernel = new double[I, 3 * H];
        var recurrent = new double[H, 3 * H];
        var bias = new double[3 * H];
        for (int c = 0; c < 3 * H; c++)
        {
            for (int i = 0; i < I; i++) kernel[i, c] = 0.3 * Math.Sin(1.7 * i + 0.9 * c + 0.4);
            for (int j = 0; j < H; j++) recurrent[j, c] = 0.6 * Math.Cos(1.3 * j + 0.7 * c + 0.2);
            bias[c] = 0.2 * Math.Sin(2.1 * c + 1.0);
        }
        double[][] x = { new[] { 1.0, -0.5 }, new[] { 0.25, 0.75 }, new[] { -1.0, 0.5 } };

        // Keras GRUCell, reset_after=False:
        //   z = σ(x·K_z + b_z + h·U_z)   r = σ(x·K_r + b_r + h·U_r)
        //   h̃ = tanh(x·K_h + b_h + (r ⊙ h)·U_h)   h' = z ⊙ h + (1 − z) ⊙ h̃
        static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
        var h = new double[H];
        var expected = new float[T * H];
        for (int t = 0; t < T; t++)
        {
            var z = new double[H];
            var r = new double[H];
            for (int j = 0; j < H; j++)
            {
                double sz = bias[j], sr = bias[H + j];
                for (int i = 0; i < I; i++) { sz += x[t][i] * kernel[i, j]; sr += x[t][i] * kernel[i, H + j]; }
                for (int k = 0; k < H; k++) { sz += h[k] * recurrent[k, j]; sr += h[k] * recurrent[k, H + j]; }
                z[j] = Sigmoid(sz);
                r[j] = Sigmoid(sr);
            }
            var next = new double[H];
            for (int j = 0; j < H; j++)
            {
                double s = bias[2 * H + j];
                for (int i = 0; i < I; i++) s += x[t][i] * kernel[i, 2 * H + j];
                for (int k = 0; k < H; k++) s += r[k] * h[k] * recurrent[k, 2 * H + j];
                next[j] = z[j] * h[j] + (1 - z[j]) * Math.Tanh(s);
            }
            h = next;
            for (int j = 0; j < H; j++) expected[t * H + j] = (float)h[j];
        }

        var gru = new Gru(H, returnSequences: true, resetAfter: false);
        gru.Build(new[] { -1, I });
        KerasImport.Load(gru, new[]
        {
            Tensor.FromArray(Flatten(kernel), I, 3 * H),
            Tensor.FromArray(Flatten(recurrent), H, 3 * H),
            Tensor.FromArray(bias.Select(v => (float)v).ToArray(), 3 * H),
        });
        var actual = gru.Forward(Tensor.FromArray(x.SelectMany(s => s).Select(v => (float)v).ToArray(), 1, T, I));

        TorchParityTests.AssertClose("h", new Tensor(expected, 1, T, H), actual);
    }

    private static float[] Flatten(double[,] m) => m.Cast<double>().Select(v => (float)v).ToArray();

    // ------------------------------------------------------------------ errors

    private static List<Tensor> FixtureArrays(string name) => NpzFile.Read(Path(name + ".npz")).ArraysByNumericSuffix.Select(a => a.Value).ToList();

    /// <summary>Imports <paramref name="arrays"/> expecting failure; checks no weight changed and returns the message.</summary>
    private static string Refused(Model model, int[] inputShape, IReadOnlyList<Tensor> arrays)
    {
        model.Build(inputShape);
        var before = Snapshot(model);
        var e = Assert.Throws<WeightImportException>(() => model.ImportKeras(arrays));
        AssertUnchanged(before, model);
        Assert.StartsWith("weights: cannot import Keras weights into model", e.Message);
        return e.Message;
    }

    [Fact]
    public void Too_few_arrays_are_counted_per_layer_and_the_gap_named()
    {
        var arrays = FixtureArrays("embedding_lstm");
        arrays.RemoveAt(arrays.Count - 1);

        string message = Refused(EmbeddingLstm(), new[] { -1 }, arrays);

        Assert.Contains("the file has 14 arrays but the model takes 15 in get_weights() order ('embedding' 1, 'lstm' 12, 'head' 2)", message);
        Assert.Contains("the first array without a counterpart would be arr_14 → layer 'head' (Dense), Keras Dense bias (U), expected (3,)", message);
    }

    [Fact]
    public void Missing_array_in_the_middle_is_found_where_shapes_stop_fitting()
    {
        var arrays = FixtureArrays("embedding_lstm");
        arrays.RemoveAt(4); // the backward layer's kernel of the first LSTM

        string message = Refused(EmbeddingLstm(), new[] { -1 }, arrays);

        Assert.Contains("the first that does not fit: arr_4 → layer 'lstm' (Lstm), Keras LSTM 1 of 2 (backward layer) kernel (I, 4H): expected (5, 24), got (6, 24)", message);
    }

    [Fact]
    public void Extra_array_in_an_npz_file_is_reported_with_the_file_name()
    {
        var arrays = FixtureArrays("rnn_bare");
        arrays.Add(Tensor.Zeros(4));
        using var dir = new TempDirectory();
        string path = dir.File("extra.npz");
        using (var zip = NpzBytes.Zip(arrays.Select((a, k) => ($"arr_{k}.npy",
            NpzBytes.Npy(NpzBytes.Header("<f4", Tensor.ShapeString(a.Shape)), NpzBytes.F4(a.ToArray())))).ToArray()))
            File.WriteAllBytes(path, zip.ToArray());
        var model = RnnBare();
        model.Build(-1, 3);
        var before = Snapshot(model);

        var e = Assert.Throws<WeightImportException>(() => model.ImportKeras(path));

        Assert.StartsWith(path + ": cannot import Keras weights into model 'sequential'", e.Message);
        Assert.Contains("the file has 7 arrays but the model takes 6", e.Message);
        Assert.Contains("arr_6 (4,) and after are left over", e.Message);
        AssertUnchanged(before, model);
    }

    [Fact]
    public void Transposed_kernel_names_layer_array_and_both_shapes()
    {
        var arrays = FixtureArrays("embedding_lstm");
        var k = arrays[1]; // (5, 24)
        var t = Tensor.Zeros(24, 5);
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 24; j++) t.Span[j * 5 + i] = k.Span[i * 24 + j];
        arrays[1] = t;

        string message = Refused(EmbeddingLstm(), new[] { -1 }, arrays);

        Assert.Contains("arr_1 → layer 'lstm' (Lstm), Keras LSTM 1 of 2 (forward layer) kernel (I, 4H): expected (5, 24), got (24, 5); it looks transposed", message);
    }

    [Fact]
    public void Units_mismatch_is_told_from_the_recurrent_kernel()
    {
        string message = Refused(EmbeddingLstm(hidden: 7), new[] { -1 }, FixtureArrays("embedding_lstm"));

        Assert.Contains("arr_2 → layer 'lstm' (Lstm), Keras LSTM 1 of 2 (forward layer) recurrent_kernel (H, 4H): expected (7, 28), got (6, 24); the Keras layer has 6 units, layer 'lstm' has 7", message);
        Assert.Contains("layer 'lstm': 8 more of its arrays do not fit either", message);
        Assert.Contains("arr_13 → layer 'head' (Dense), Keras Dense kernel (F, U): expected (14, 3), got (12, 3)", message);
    }

    [Fact]
    public void Gru_bias_shape_tells_which_reset_after_form_the_file_has()
    {
        var cho = Refused(new Sequential(new Gru(5, returnSequences: true, numLayers: 2, bidirectional: true, name: "gru"), new Dense(2)),
            new[] { -1, 3 }, FixtureArrays("gru_cho"));
        Assert.Contains("arr_2 → layer 'gru' (Gru), Keras GRU 1 of 2 (forward layer) bias (2, 3H): expected (2, 15), got (15,); a (3H) bias is a GRU with reset_after=False: build the Gru with resetAfter: false", cho);

        var after = Refused(new Sequential(new Bidirectional(new Gru(5, returnSequences: true, numLayers: 2, resetAfter: false, name: "gru")),
                new SimpleRnn(3, returnSequences: true), new Dense(2)),
            new[] { -1, 4 }, FixtureArrays("gru_rnn"));
        Assert.Contains("Keras GRU 1 of 2 (forward layer) bias (3H): expected (15,), got (2, 15); a (2, 3H) bias is a GRU with reset_after=True", after);
    }

    [Fact]
    public void Layer_level_load_checks_the_count()
    {
        var lstm = new Lstm(6, numLayers: 2, bidirectional: true);
        lstm.Build(new[] { -1, 5 });
        var before = lstm.Parameters.Select(p => p.Value.ToArray()).ToList();

        var e = Assert.Throws<WeightImportException>(() => KerasImport.Load(lstm, FixtureArrays("embedding_lstm")));

        Assert.Contains("the file has 15 arrays but the model takes 12", e.Message);
        for (int i = 0; i < before.Count; i++) Assert.Equal(before[i], lstm.Parameters[i].Value.ToArray());
    }

    [Fact]
    public void Unbuilt_layer_cannot_be_exported()
    {
        var e = Assert.Throws<InvalidOperationException>(() => KerasImport.ToKerasArrays(new Lstm(3)));
        Assert.Contains("is not built", e.Message);
    }
}
