using Microsoft.ML.OnnxRuntime;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;

namespace Recur.Onnx.Tests;

/// <summary>The other layers and options, each exported and run in ONNX Runtime against <c>Predict</c>.</summary>
public class LayerExportTests
{
    private const int B = 4, T = 6, I = 3, V = 11;
    private static readonly int[] Lengths = [6, 4, 1, 0];

    public static TheoryData<Activation> Activations() => new(Enum.GetValues<Activation>());

    [Theory]
    [MemberData(nameof(Activations))]
    public void Dense_with_every_activation_on_vectors_and_on_steps(Activation activation)
    {
        var perStep = new Sequential(seed: 1, new Dense(4, activation), new TimeDistributed(new Dense(3, activation)));
        var x = TestData.Sequences(B, T, I, null, 5);
        OnnxRuntimeRun.AssertClose(perStep.Predict(x), OnnxRuntimeRun.Output(perStep, x, ids: false), $"per step, {activation}");

        var vectors = new Sequential(seed: 2, new Dense(4, activation, useBias: false), new Dense(3, activation));
        var v = TestData.Sequences(B, 1, I, null, 6).Reshape(B, I);
        OnnxRuntimeRun.AssertClose(vectors.Predict(v), OnnxRuntimeRun.Output(vectors, v, ids: false), $"vectors, {activation}");
    }

    [Fact]
    public void Masked_max_pooling_over_a_bidirectional_gru_of_ids_with_dropout_removed()
    {
        var model = new Sequential(seed: 3,
            new Embedding(V, 4, maskZero: true),
            new Bidirectional(new Gru(5, returnSequences: true)),
            new Dropout(0.5f),
            new GlobalMaxPooling1D(),
            new Dense(1, Activation.Sigmoid));
        var x = TestData.Ids(B, T, V, Lengths, 7);
        OnnxRuntimeRun.AssertClose(model.Predict(x), OnnxRuntimeRun.Output(model, x, ids: true), "masked pooling");
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn")]
    public void Dropout_between_stacked_layers_on_inputs_and_on_the_recurrent_state_is_gone_at_inference(string cell)
    {
        var options = new RecurrentOptions
        {
            NumLayers = 2, Bidirectional = true, ReturnSequences = true, Initialization = RecurrentInit.PyTorch,
            Dropout = 0.3f, InputDropout = 0.2f, RecurrentDropout = 0.25f,
        };
        RecurrentLayer layer = cell switch
        {
            "lstm" => new Lstm(5, options),
            "gru" => new Gru(5, options, resetAfter: true),
            _ => new SimpleRnn(5, options, RnnActivation.Tanh),
        };
        var model = new Sequential(seed: 10, new Masking(0f), layer, new Dense(2));
        var x = TestData.Sequences(B, T, I, Lengths, 17);
        OnnxRuntimeRun.AssertClose(model.Predict(x), OnnxRuntimeRun.Output(model, x, ids: false), $"{cell} with dropout options");
    }

    [Fact]
    public void Max_pooling_without_a_mask_and_masking_with_another_value()
    {
        var pooled = new Sequential(seed: 4, new Lstm(5, returnSequences: true), new GlobalMaxPooling1D());
        var x = TestData.Sequences(B, T, I, null, 8);
        OnnxRuntimeRun.AssertClose(pooled.Predict(x), OnnxRuntimeRun.Output(pooled, x, ids: false), "pooling");

        var masked = new Sequential(seed: 5, new Masking(-1f), new SimpleRnn(5, returnSequences: true));
        var padded = TestData.Sequences(B, T, I, null, 9);
        for (int b = 0; b < B; b++)
            for (int t = Lengths[b]; t < T; t++) padded.Span.Slice((b * T + t) * I, I).Fill(-1f);
        padded.Span[1] = -1f; // one feature equal to the mask value does not mask the step
        OnnxRuntimeRun.AssertClose(masked.Predict(padded), OnnxRuntimeRun.Output(masked, padded, ids: false), "masking −1");
    }

    [Fact]
    public void Lengths_input_is_the_mask_predict_takes()
    {
        var model = new Sequential(seed: 6, new Lstm(5, bidirectional: true), new Dense(2));
        var x = TestData.Sequences(B, T, I, Lengths, 10);
        var expected = model.Predict(x, mask: SequenceMask.FromLengths(Lengths, T));
        using var session = OnnxRuntimeRun.Session(model.ToOnnx(new OnnxExportOptions { LengthsInput = true }));
        var actual = OnnxRuntimeRun.Run(session, OnnxRuntimeRun.Floats("input", x), OnnxRuntimeRun.Ints("lengths", Lengths))["output"];
        OnnxRuntimeRun.AssertClose(expected, actual, "lengths input");
    }

    [Theory]
    [InlineData("lstm", "left")]
    [InlineData("gru", "gap")]
    [InlineData("rnn", "left")]
    public void Padding_before_a_real_step_is_refused_by_the_runtime_naming_the_rule(string cell, string padding)
    {
        RecurrentLayer recurrent = cell switch
        {
            "lstm" => new Lstm(5),
            "gru" => new Gru(5, bidirectional: true),
            _ => new SimpleRnn(5, returnSequences: true),
        };
        var model = new Sequential(seed: 7, new Embedding(V, 4, maskZero: true), recurrent, new Dense(1));
        var x = TestData.Ids(B, T, V, Lengths, 11);
        model.Build(-1);
        using var session = OnnxRuntimeRun.Session(model.ToOnnx());
        OnnxRuntimeRun.Run(session, OnnxRuntimeRun.Ids("input", x)); // right padding runs
        if (padding == "left") x.Span[1 * T + 0] = 0; // row 1: padding, then real steps
        else x.Span[1 * T + 2] = 0;                   // row 1: real, real, padding, real

        var e = Assert.Throws<OnnxRuntimeException>(() => OnnxRuntimeRun.Run(session, OnnxRuntimeRun.Ids("input", x)));
        Assert.Contains(OnnxMask.RefusalName, e.Message);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn_tanh")]
    public void States_carried_between_calls_stream_as_a_stateful_model(string cell)
    {
        var recurrent = (RecurrentLayer)RecurrentExportTests.Recurrent(cell, "forward", layers: 2, returnSequences: true);
        recurrent.Name = "rnn";
        var model = new Sequential(seed: 8, recurrent, new Dense(2));
        var first = TestData.Sequences(B, 4, I, null, 12);  // steps 0–3 of a stream
        var second = TestData.Sequences(B, 2, I, null, 16); // steps 4–5
        model.Build(-1, I);
        model.Stateful = true;
        model.PredictOnBatch(first);
        var expected = model.PredictOnBatch(second);

        using var session = OnnxRuntimeRun.Session(model.ToOnnx());
        var run1 = OnnxRuntimeRun.Run(session, OnnxRuntimeRun.Floats("input", first));
        var inputs = new List<NamedOnnxValue> { OnnxRuntimeRun.Floats("input", second), OnnxRuntimeRun.Floats("rnn.h0", run1["rnn.h_n"]) };
        if (cell == "lstm") inputs.Add(OnnxRuntimeRun.Floats("rnn.c0", run1["rnn.c_n"]));
        var run2 = OnnxRuntimeRun.Run(session, inputs.ToArray());

        Assert.Equal([2, B, 5], run1["rnn.h_n"].ShapeArray);
        OnnxRuntimeRun.AssertClose(expected, run2["output"], $"{cell}: second chunk from the first one's states");
    }

    [Fact]
    public void Initial_states_match_forward_with_state()
    {
        var lstm = new Lstm(5, new RecurrentOptions { NumLayers = 2, Bidirectional = true, ReturnSequences = true, Initialization = RecurrentInit.PyTorch }, name: "enc");
        var model = new Sequential(seed: 9, lstm);
        var x = TestData.Sequences(B, T, I, null, 13);
        model.Build(-1, I);
        var h0 = TestData.Sequences(4, B, 5, null, 14);
        var c0 = TestData.Sequences(4, B, 5, null, 15);
        var expected = lstm.ForwardWithState(x, h0, c0);

        using var session = OnnxRuntimeRun.Session(model.ToOnnx());
        var run = OnnxRuntimeRun.Run(session, OnnxRuntimeRun.Floats("input", x), OnnxRuntimeRun.Floats("enc.h0", h0), OnnxRuntimeRun.Floats("enc.c0", c0));

        OnnxRuntimeRun.AssertClose(expected.Output, run["output"], "output");
        OnnxRuntimeRun.AssertClose(expected.HiddenState, run["enc.h_n"], "h_n");
        OnnxRuntimeRun.AssertClose(expected.CellState!, run["enc.c_n"], "c_n");
    }
}
