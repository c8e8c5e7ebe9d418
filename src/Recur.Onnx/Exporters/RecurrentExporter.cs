using Recur.Layers;
using Recur.Layers.Recurrent;

namespace Recur.Onnx;

// Shapes: B batch, T time, I input, H hidden, L stacked layers, D directions, G gates, W merged width.

/// <summary>
/// SimpleRnn, Lstm, Gru (and Bidirectional around them) as the ONNX <c>RNN</c>, <c>LSTM</c> and
/// <c>GRU</c> operators: one operator per stacked layer, both directions in one operator.
/// </summary>
/// <remarks>
/// <para>Recur keeps PyTorch's gate order; ONNX has its own: LSTM i, f, g, o → i, o, f, c; GRU
/// r, z, n → z, r, h. The GRU's reset-after form (PyTorch, Keras' default) is ONNX's
/// <c>linear_before_reset = 1</c>; the reset-before form (Cho et al., Keras <c>reset_after=False</c>)
/// is <c>linear_before_reset = 0</c>, where ONNX adds b_hn after the reset as Recur does.</para>
/// <para>ONNX runs time-major: (T, B, I) in, Y (T, D, B, H) and Y_h (D, B, H) out. The layer's
/// input is transposed once, the stacked layers pass time-major values to each other, and the
/// result is transposed back. Masks become <c>sequence_lens</c> (see <see cref="OnnxMask"/>):
/// outputs past a row's length are zeros and its final state is the one at its last real step,
/// the backward direction starting there — Recur's semantics for right-padded rows.</para>
/// <para>States: the optional input <c>{layer}.h0</c> (and <c>{layer}.c0</c> for an LSTM),
/// (L·D, B, H) with row l·D + d, zeros by default; the outputs <c>{layer}.h_n</c> (and
/// <c>{layer}.c_n</c>) in the same layout — as <c>ForwardWithState</c> and torch.nn.LSTM.</para>
/// </remarks>
internal static class RecurrentExporter
{
    public static OnnxLayerOutput Export(RecurrentLayer layer, OnnxLayerContext context) => Export(layer, layer.Name, context);

    public static OnnxLayerOutput ExportBidirectional(Bidirectional layer, OnnxLayerContext context) => Export(layer.Inner, layer.Name, context);

    /// <summary>
    /// The cell options ONNX's LSTM, GRU and RNN operators cannot express: refused before anything
    /// is written rather than exported as a different network.
    /// </summary>
    private static void RefuseVariants(RecurrentLayer layer, string name)
    {
        if (layer.Options.ProjectionSize != 0)
            throw new OnnxExportException(
                $"Layer '{name}' has a recurrent projection (ProjectionSize {layer.Options.ProjectionSize}); ONNX's LSTM operator has no projection, so it cannot be exported.");
        if (layer.Options.LayerNorm)
            throw new OnnxExportException(
                $"Layer '{name}' is layer-normalised (LayerNorm true); ONNX's recurrent operators have no normalisation inside the step, so it cannot be exported.");
        if (layer.Options.ZoneoutHidden != 0f || layer.Options.ZoneoutCell != 0f)
            throw new OnnxExportException(
                $"Layer '{name}' uses zoneout (ZoneoutHidden {layer.Options.ZoneoutHidden}, ZoneoutCell {layer.Options.ZoneoutCell}), which mixes the previous state into each step in inference too; ONNX's recurrent operators cannot express it, so it cannot be exported.");
    }

    private static OnnxLayerOutput Export(RecurrentLayer layer, string name, OnnxLayerContext context)
    {
        var g = context.Graph;
        var x = context.Input;
        if (x.Rank != 3 || x.ElementType != OnnxElementType.Float)
            throw new OnnxExportException($"Layer '{name}' needs a float (batch, time, features) input; got {x}.");
        RefuseVariants(layer, name);
        var cell = Cell.Of(layer);
        int H = layer.Units, D = layer.Directions, L = layer.Options.NumLayers;
        var merge = layer.Options.MergeMode;
        string scope = OnnxGraphBuilder.Clean(name);
        string? lengths = context.Mask?.SequenceLengths(g);                                 // (B) int32
        string? empty = lengths is null ? null : g.Node("Equal", [lengths, g.Scalar(0, OnnxElementType.Int32)], scope + "/empty"); // (B)
        string? h0All = context.ExposeStates ? context.InitialState(scope + ".h0", L * D, H, x, StateDoc("initial hidden", layer)) : null;
        string? c0All = context.ExposeStates && cell.HasCell ? context.InitialState(scope + ".c0", L * D, H, x, StateDoc("initial cell", layer)) : null;

        string sequence = g.Transpose(x.Name, scope + "/time_major", 1, 0, 2);            // (T, B, I)
        var finalH = new List<string>();
        var finalC = new List<string>();
        for (int l = 0; l < L; l++)
        {
            string lscope = $"{scope}/l{l}";
            string W = Weights(g, layer, "weight_ih", l, D, H, cell.GateOrder, lscope + "/W");  // (D, GH, I_l)
            string R = Weights(g, layer, "weight_hh", l, D, H, cell.GateOrder, lscope + "/R");  // (D, GH, H)
            string B = Biases(g, layer, l, D, H, cell.GateOrder, lscope + "/B");                // (D, 2GH)
            string h0 = h0All is null ? "" : g.Slice(h0All, lscope + "/h0", 0, l * D, (l + 1) * D); // (D, B, H)
            string c0 = c0All is null ? "" : g.Slice(c0All, lscope + "/c0", 0, l * D, (l + 1) * D);
            // ONNX's RNN refuses a length of 0 (LSTM and GRU accept it): run such rows for one
            // step and put back what Recur gives them, zeros and the initial state.
            string lens = lengths is null ? "" : cell.Op == "RNN" ? g.Node("Max", [lengths, g.Scalar(1, OnnxElementType.Int32)], lscope + "/lens") : lengths;
            var inputs = new List<string> { sequence, W, R, B, lens, h0 };
            if (cell.HasCell) inputs.Add(c0);
            var attributes = new List<OnnxAttribute>
            {
                OnnxAttribute.Int("hidden_size", H),
                OnnxAttribute.String("direction", D == 2 ? "bidirectional" : "forward"),
            };
            attributes.AddRange(Cell.Attributes(layer, D));
            var outputs = g.Node(cell.Op, inputs, cell.HasCell ? 3 : 2, lscope + "/" + cell.Op, attributes.ToArray());
            string y = outputs[0], yh = outputs[1];                                              // (T, D, B, H), (D, B, H)
            string? yc = cell.HasCell ? outputs[2] : null;
            if (empty is not null)
            {
                y = g.Node("Where", [g.Unsqueeze(empty, lscope + "/empty_y", 0, 1, 3), g.Scalar(0), y], lscope + "/Y");
                string emptyState = g.Unsqueeze(empty, lscope + "/empty_state", 0, 2);          // (1, B, 1)
                yh = g.Node("Where", [emptyState, h0.Length > 0 ? h0 : g.Scalar(0), yh], lscope + "/Y_h");
                if (yc is not null) yc = g.Node("Where", [emptyState, c0.Length > 0 ? c0 : g.Scalar(0), yc], lscope + "/Y_c");
            }
            finalH.Add(yh);
            if (yc is not null) finalC.Add(yc);
            sequence = MergeSteps(g, y, D, merge, lscope + "/merged");                           // (T, B, W)
        }

        if (context.ExposeStates)
        {
            context.FinalState(scope + ".h_n", Stack(g, finalH, scope + "/h_n"), L * D, H, StateDoc("final hidden", layer));
            if (cell.HasCell) context.FinalState(scope + ".c_n", Stack(g, finalC, scope + "/c_n"), L * D, H, StateDoc("final cell", layer));
        }
        int width = layer.OutputWidth;
        if (layer.Options.ReturnSequences)
        {
            string output = g.Transpose(sequence, scope, 1, 0, 2);                              // (B, T, W)
            return new OnnxLayerOutput(x.With(output, [x.Shape[0], x.Shape[1], OnnxDim.Fixed(width)]), context.Mask);
        }
        string last = MergeFinal(g, finalH[^1], D, merge, scope);                               // (B, W)
        return new OnnxLayerOutput(x.With(last, [x.Shape[0], OnnxDim.Fixed(width)]), null);
    }

    private static string StateDoc(string what, RecurrentLayer layer)
        => $"{what} state (layers·directions, batch, {layer.Units}), row l·D + d; zeros when not fed";

    /// <summary>Y (T, D, B, H) → (T, B, W) as <c>DirectionMerge</c>: forward then backward for concat.</summary>
    private static string MergeSteps(OnnxGraphBuilder g, string y, int D, MergeMode merge, string hint)
    {
        if (D == 1) return g.Squeeze(y, hint, 1);
        return merge switch
        {
            MergeMode.Concat => g.Reshape(g.Transpose(y, hint + "_tbdh", 0, 2, 1, 3), hint, 0, 0, -1),
            MergeMode.Sum => g.ReduceSum(y, hint, 1, keepDims: false),
            MergeMode.Average => g.ReduceMean(y, hint, 1, keepDims: false),
            _ => throw new OnnxExportException($"Merge mode {merge} has no ONNX form."),
        };
    }

    /// <summary>Y_h (D, B, H) of the top layer → (B, W): the last output when not returning sequences.</summary>
    private static string MergeFinal(OnnxGraphBuilder g, string yh, int D, MergeMode merge, string hint)
    {
        if (D == 1) return g.Squeeze(yh, hint, 0);
        return merge switch
        {
            MergeMode.Concat => g.Reshape(g.Transpose(yh, hint + "_bdh", 1, 0, 2), hint, 0, -1),
            MergeMode.Sum => g.ReduceSum(yh, hint, 0, keepDims: false),
            MergeMode.Average => g.ReduceMean(yh, hint, 0, keepDims: false),
            _ => throw new OnnxExportException($"Merge mode {merge} has no ONNX form."),
        };
    }

    private static string Stack(OnnxGraphBuilder g, List<string> states, string hint)
        => states.Count == 1 ? states[0] : g.Node("Concat", states, hint, OnnxAttribute.Int("axis", 0)); // (L·D, B, H)

    /// <summary>
    /// (D, GH, K) from <c>{kind}_l{l}[_reverse]</c> (GH, K), gate blocks put in ONNX's order; one
    /// initializer per layer, however many times the layer is applied.
    /// </summary>
    private static string Weights(OnnxGraphBuilder g, RecurrentLayer layer, string kind, int l, int D, int H, int[] order, string hint)
    {
        var first = layer.GetParameter($"{kind}_l{l}").Value;
        int GH = first.Size(0), K = first.Size(1);
        return g.Weight(layer, hint, () =>
        {
            var data = new float[D * GH * K];
            for (int d = 0; d < D; d++)
            {
                var w = layer.GetParameter($"{kind}_l{l}{(d == 1 ? "_reverse" : "")}").Value.Span;
                for (int k = 0; k < order.Length; k++)
                    w.Slice(order[k] * H * K, H * K).CopyTo(data.AsSpan(d * GH * K + k * H * K, H * K));
            }
            return data;
        }, D, GH, K);
    }

    /// <summary>(D, 2GH): [W_b | R_b] per direction = [b_ih | b_hh], gate blocks in ONNX's order; one initializer per layer.</summary>
    private static string Biases(OnnxGraphBuilder g, RecurrentLayer layer, int l, int D, int H, int[] order, string hint)
    {
        int GH = order.Length * H;
        return g.Weight(layer, hint, () => ReorderedBiases(layer, l, D, H, order), D, 2 * GH);
    }

    private static float[] ReorderedBiases(RecurrentLayer layer, int l, int D, int H, int[] order)
    {
        int GH = order.Length * H;
        var data = new float[D * 2 * GH];
        for (int d = 0; d < D; d++)
        {
            string suffix = $"_l{l}{(d == 1 ? "_reverse" : "")}";
            var bih = layer.GetParameter("bias_ih" + suffix).Value.Span;
            var bhh = layer.GetParameter("bias_hh" + suffix).Value.Span;
            for (int k = 0; k < order.Length; k++)
            {
                bih.Slice(order[k] * H, H).CopyTo(data.AsSpan(d * 2 * GH + k * H, H));
                bhh.Slice(order[k] * H, H).CopyTo(data.AsSpan(d * 2 * GH + GH + k * H, H));
            }
        }
        return data;
    }

    /// <summary>The ONNX operator of a cell, its gate order (ONNX block k = Recur block order[k]) and attributes.</summary>
    private sealed record Cell(string Op, int[] GateOrder, bool HasCell)
    {
        public static Cell Of(RecurrentLayer layer) => layer switch
        {
            Lstm => new("LSTM", [0, 3, 1, 2], true),   // i, f, g, o → i, o, f, c
            Gru => new("GRU", [1, 0, 2], false),        // r, z, n → z, r, h
            SimpleRnn => new("RNN", [0], false),
            _ => throw new OnnxExportException($"Layer '{layer.Name}' ({layer.GetType().Name}) is a recurrent layer without an ONNX operator; register an exporter for its type."),
        };

        public static IEnumerable<OnnxAttribute> Attributes(RecurrentLayer layer, int directions)
        {
            if (layer is Gru gru) yield return OnnxAttribute.Int("linear_before_reset", gru.ResetAfter ? 1 : 0);
            if (layer is SimpleRnn rnn)
            {
                string f = rnn.Activation == RnnActivation.Relu ? "Relu" : "Tanh";
                yield return OnnxAttribute.Strings("activations", Enumerable.Repeat(f, directions).ToArray());
            }
        }
    }
}
