using System.Collections.Concurrent;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;

namespace Recur.Serialization;

// Shapes: V vocabulary, E embedding size, F input features, U units, I inputs, H hidden units,
// G gate blocks (LSTM 4, GRU 3, SimpleRNN 1), GH = G·H.

/// <summary>
/// Loads weights trained in Keras: the list <c>model.get_weights()</c>, saved with
/// <c>numpy.savez("weights.npz", *model.get_weights())</c> (arrays <c>arr_0</c>, <c>arr_1</c>, … in
/// that order), and converts Recur weights back to that list.
/// </summary>
/// <remarks>
/// <para>The arrays are taken layer by layer in model order; layers without weights (Dropout,
/// Masking, Activation) take none. Per layer, in Keras' order, with the conversion to Recur's
/// (PyTorch's) parameters:</para>
/// <list type="table">
/// <listheader><term>Keras arrays</term><description>Recur parameters</description></listheader>
/// <item><term><c>Embedding</c>: embeddings (V, E)</term><description><c>weight</c> (V, E), copied.</description></item>
/// <item><term><c>Dense</c>: kernel (F, U), bias (U) (no bias with <c>use_bias=False</c>)</term>
/// <description><c>weight</c> (U, F) = kernelᵀ; <c>bias</c> copied.</description></item>
/// <item><term><c>SimpleRNN</c>: kernel (I, H), recurrent_kernel (H, H), bias (H)</term>
/// <description><c>weight_ih</c> = kernelᵀ, <c>weight_hh</c> = recurrent_kernelᵀ, <c>bias_ih</c> = bias, <c>bias_hh</c> = 0.</description></item>
/// <item><term><c>LSTM</c>: kernel (I, 4H), recurrent_kernel (H, 4H), bias (4H); gate blocks i, f, c, o</term>
/// <description>The same blocks as Recur's i, f, g, o: <c>weight_ih</c> (4H, I) = kernelᵀ,
/// <c>weight_hh</c> (4H, H) = recurrent_kernelᵀ, <c>bias_ih</c> = bias, <c>bias_hh</c> = 0.</description></item>
/// <item><term><c>GRU(reset_after=True)</c> (Keras' default): kernel (I, 3H), recurrent_kernel (H, 3H), bias (2, 3H); gate blocks z, r, h</term>
/// <description>Transposed, and the first two gate blocks swapped into Recur's r, z, n:
/// <c>W[g·H + j, i] = K[i, order[g]·H + j]</c> with order = (1, 0, 2); bias row 0 → <c>bias_ih</c>,
/// row 1 → <c>bias_hh</c>, each reordered. The layer must be a <see cref="Gru"/> with <c>resetAfter: true</c>.</description></item>
/// <item><term><c>GRU(reset_after=False)</c>: kernel (I, 3H), recurrent_kernel (H, 3H), bias (3H)</term>
/// <description>Transposed and reordered as above; bias → <c>bias_ih</c>, <c>bias_hh</c> = 0. The layer
/// must be a <see cref="Gru"/> with <c>resetAfter: false</c>. Keras computes the candidate
/// <c>h̃ = tanh(x·K_h + b_h + (r ⊙ h)·U_h)</c> with no recurrent bias; Recur's Cho form adds
/// <c>b_hn</c> outside the reset gate, which is 0 here, so the two agree.</description></item>
/// <item><term><c>Bidirectional(layer)</c></term><description>The forward layer's arrays, then the
/// backward layer's: parameters without, then with the <c>_reverse</c> suffix.</description></item>
/// <item><term>N stacked Keras recurrent layers</term><description>One Recur layer with
/// <c>NumLayers</c> = N (all of the same cell, size and direction setting): stacked layer k takes
/// the arrays of the k-th Keras layer.</description></item>
/// </list>
/// <para>Keras' recurrent defaults are assumed: <c>activation="tanh"</c> (or the same activation
/// as a <see cref="SimpleRnn"/>), <c>recurrent_activation="sigmoid"</c>, <c>use_bias=True</c>.
/// The counts and every shape are checked before any weight changes; an error names the layer,
/// the array (<c>arr_k</c>), the expected and the actual shape.</para>
/// <para>Only weights are read. Keras options that carry none are set on the Recur layer itself:
/// <c>dropout</c> and <c>recurrent_dropout</c> as <see cref="RecurrentOptions.InputDropout"/> and
/// <see cref="RecurrentOptions.RecurrentDropout"/> (both GRU forms), which change no array.</para>
/// <para>A layer type of one's own with weights takes part once its layout is registered with
/// <see cref="RegisterLayout{TLayer}"/>; the built-in layouts above are registered the same way.</para>
/// <para>Going back (<see cref="ToKerasArrays(Layer)"/>), LSTM, SimpleRNN and Cho-GRU biases are
/// <c>bias_ih + bias_hh</c>: the sum is all Keras has, and outputs are unchanged (for the Cho GRU,
/// <c>b_hn</c> is added outside the reset gate, so it folds into the input bias too).</para>
/// </remarks>
/// <example>
/// <code>
/// // Keras: Sequential([Embedding(10000, 64), Bidirectional(LSTM(64)), Dense(1)])
/// //        numpy.savez("weights.npz", *model.get_weights())
/// var model = new Sequential(new Embedding(10000, 64), new Bidirectional(new Lstm(64)), new Dense(1));
/// model.ImportKeras("weights.npz", inputShape: new[] { -1 });
/// </code>
/// </example>
public static class KerasImport
{
    private const int MisfitsShown = 4;

    /// <summary>
    /// Loads one built <paramref name="layer"/> from its Keras arrays (exactly as many as it
    /// takes, in <c>get_weights()</c> order).
    /// </summary>
    /// <exception cref="WeightImportException">Wrong count or a wrong shape; no weight was changed.</exception>
    /// <exception cref="InvalidOperationException">The layer is not built.</exception>
    public static void Load(Layer layer, IReadOnlyList<Tensor> arrays)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(arrays);
        RequireBuilt(layer);
        Apply(SlotsOf(layer, layer), Named(arrays), "arrays", $"Keras weights into layer '{layer.Name}'");
    }

    /// <summary>The layer's weights as Keras would hold them (<c>layer.get_weights()</c>), converted as the class remarks describe.</summary>
    /// <exception cref="InvalidOperationException">The layer is not built.</exception>
    public static IReadOnlyList<Tensor> ToKerasArrays(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        RequireBuilt(layer);
        return SlotsOf(layer, layer).Select(s => s.Export()).ToList();
    }

    /// <summary>The model's weights as Keras' <c>model.get_weights()</c> of the equivalent Keras model.</summary>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    public static IReadOnlyList<Tensor> ToKerasArrays(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.IsBuilt) throw new InvalidOperationException($"Model '{model.Name}' is not built: build it before exporting weights.");
        return model.Layers.SelectMany(ToKerasArrays).ToList();
    }

    /// <summary>Loads every layer of a built model from <paramref name="arrays"/> in get_weights() order, or none.</summary>
    internal static void Load(Model model, IReadOnlyList<KeyValuePair<string, Tensor>> arrays, string source)
        => Apply(model.Layers.SelectMany(l => SlotsOf(l, l)).ToList(), arrays, source, $"Keras weights into model '{model.Name}'");

    internal static IReadOnlyList<KeyValuePair<string, Tensor>> Named(IReadOnlyList<Tensor> arrays)
        => arrays.Select((a, k) => KeyValuePair.Create($"arr_{k}", a ?? throw new ArgumentNullException(nameof(arrays), $"arrays[{k}] is null."))).ToList();

    private static void RequireBuilt(Layer layer)
    {
        if (!layer.IsBuilt) throw new InvalidOperationException($"Layer '{layer.Name}' is not built: build it for its input shape first.");
    }

    /// <summary>Checks the count and every shape, then converts every array, then writes every parameter.</summary>
    private static void Apply(List<Slot> slots, IReadOnlyList<KeyValuePair<string, Tensor>> arrays, string source, string what)
    {
        var problems = new List<string>();
        if (arrays.Count != slots.Count)
            problems.Add(CountProblem(slots, arrays));
        else
            foreach (var layer in slots.Select((s, k) => (Slot: s, Index: k)).GroupBy(x => x.Slot.Owner))
            {
                // The first few say what differs; the rest of the layer's arrays usually differ for the same reason.
                var misfits = layer.Where(x => !arrays[x.Index].Value.SameShape(x.Slot.Shape)).ToList();
                foreach (var (slot, k) in misfits.Take(MisfitsShown)) problems.Add(slot.Mismatch(arrays[k].Key, arrays[k].Value.ShapeArray));
                if (misfits.Count > MisfitsShown)
                    problems.Add($"layer '{layer.Key.Name}': {misfits.Count - MisfitsShown} more of its arrays do not fit either.");
            }
        if (problems.Count == 0)
            for (int k = 0; k < slots.Count; k++)
                if (FiniteCheck.Problem(arrays[k].Value) is { } nonFinite)
                    problems.Add($"{slots[k].Describe(arrays[k].Key)} {nonFinite}; weights must be finite (the Keras model diverged, or the file is corrupt).");
        if (problems.Count > 0) throw new WeightImportException(source, what, problems);

        var converted = slots.SelectMany((s, k) => s.Import(arrays[k].Value)).ToList();
        foreach (var (parameter, value) in converted) parameter.Value.CopyFrom(value);
    }

    private static string CountProblem(List<Slot> slots, IReadOnlyList<KeyValuePair<string, Tensor>> arrays)
    {
        var perLayer = slots.GroupBy(s => s.Owner).Select(g => $"'{g.Key.Name}' {g.Count()}");
        string text = $"the file has {arrays.Count} arrays but the model takes {slots.Count} in get_weights() order " +
                      $"({string.Join(", ", perLayer)})";
        for (int k = 0; k < Math.Max(slots.Count, arrays.Count); k++)
        {
            if (k >= arrays.Count) return text + $"; the first array without a counterpart would be {slots[k].Describe($"arr_{k}")}, expected {Tensor.ShapeString(slots[k].Shape)}.";
            if (k >= slots.Count) return text + $"; {arrays[k].Key} {Tensor.ShapeString(arrays[k].Value.Shape)} and after are left over.";
            if (!arrays[k].Value.SameShape(slots[k].Shape)) return text + "; the first that does not fit: " + slots[k].Mismatch(arrays[k].Key, arrays[k].Value.ShapeArray);
        }
        return text + ".";
    }

    /// <summary>
    /// Maps layers of type <typeparamref name="TLayer"/> (and of its subclasses without a layout of
    /// their own) to their Keras arrays, in Keras' <c>get_weights()</c> order: how a user-defined
    /// layer with weights takes part in <see cref="Load(Layer, IReadOnlyList{Tensor})"/>,
    /// <c>Model.ImportKeras</c> and <see cref="ToKerasArrays(Layer)"/>. Layers without weights and
    /// wrappers without weights of their own need none.
    /// </summary>
    /// <exception cref="ArgumentException">The type has a layout already (the built-ins: Dense, Embedding, the recurrent layers).</exception>
    public static void RegisterLayout<TLayer>(Func<TLayer, IReadOnlyList<KerasArray>> layout) where TLayer : Layer
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (!Layouts.TryAdd(typeof(TLayer), l => layout((TLayer)l)))
            throw new ArgumentException($"{typeof(TLayer).Name} has a Keras layout already; a type is registered once.", nameof(layout));
    }

    private static readonly ConcurrentDictionary<Type, Func<Layer, IReadOnlyList<KerasArray>>> Layouts = new(new Dictionary<Type, Func<Layer, IReadOnlyList<KerasArray>>>
    {
        [typeof(RecurrentLayer)] = l => RecurrentArrays((RecurrentLayer)l),
        [typeof(Embedding)] = l => [KerasArray.Copy("Embedding embeddings (V, E)", ((Embedding)l).Weight!)],
        [typeof(Dense)] = l => DenseArrays((Dense)l),
    });

    /// <summary>The layout registered for the layer's type or its nearest base type, or null.</summary>
    private static Func<Layer, IReadOnlyList<KerasArray>>? LayoutOf(Layer layer)
    {
        for (var type = layer.GetType(); type is not null; type = type.BaseType)
            if (Layouts.TryGetValue(type, out var layout)) return layout;
        return null;
    }

    /// <summary>The Keras arrays <paramref name="layer"/> takes, in get_weights() order; <paramref name="owner"/> names it in messages.</summary>
    private static List<Slot> SlotsOf(Layer owner, Layer layer)
    {
        // A wrapper without weights of its own (Bidirectional, TimeDistributed, a step cell) maps as the layer it wraps.
        if (layer.InnerLayers.ToArray() is [var inner] && !ReferenceEquals(inner, layer) && layer.Parameters.SequenceEqual(inner.Parameters))
            return SlotsOf(owner, inner);
        if (LayoutOf(layer) is { } layout) return layout(layer).Select(a => new Slot(owner, a)).ToList();
        if (layer.Parameters.Count == 0) return new();
        throw new NotSupportedException(
            $"Layer '{owner.Name}' ({layer.GetType().Name}) has weights but no Keras layout: register one with KerasImport.RegisterLayout<{layer.GetType().Name}>.");
    }

    /// <summary>kernel (F, U), then bias (U) unless the layer has none.</summary>
    private static List<KerasArray> DenseArrays(Dense d)
    {
        var w = d.Weight!;
        int[] one = KerasLayout.Identity(1);
        var arrays = new List<KerasArray>
        {
            new("Dense kernel (F, U)", [d.InputFeatures, d.Units], a => [(w, KerasLayout.FromKernel(a, one))], () => KerasLayout.ToKernel(w.Value, one)),
        };
        if (d.Bias is { } bias) arrays.Add(KerasArray.Copy("Dense bias (U)", bias));
        return arrays;
    }

    /// <summary>Per stacked layer, per direction: kernel, recurrent_kernel, bias (see the class remarks).</summary>
    private static List<KerasArray> RecurrentArrays(RecurrentLayer r)
    {
        string cell = r switch { Lstm => "LSTM", Gru => "GRU", _ => "SimpleRNN" };
        if (r.Options.ProjectionSize != 0)
            throw new NotSupportedException(
                $"Layer '{r.Name}' is a projected LSTM (ProjectionSize {r.Options.ProjectionSize}); Keras has no projected LSTM, so its weights have no Keras layout.");
        if (r.Options.LayerNorm)
            throw new NotSupportedException(
                $"Layer '{r.Name}' is layer-normalised (LayerNorm true); Keras' {cell} has no normalisation gains, so its weights have no Keras layout.");
        bool splitBias = r is Gru { ResetAfter: true }; // bias (2, GH): input row, recurrent row
        int H = r.Units, L = r.Options.NumLayers, D = r.Directions;
        var arrays = new List<KerasArray>();
        for (int l = 0; l < L; l++)
            for (int d = 0; d < D; d++)
            {
                string suffix = $"_l{l}" + (d == 1 ? "_reverse" : "");
                var wih = r.GetParameter("weight_ih" + suffix);   // (GH, I_l)
                var whh = r.GetParameter("weight_hh" + suffix);   // (GH, H)
                var bih = r.GetParameter("bias_ih" + suffix);     // (GH)
                var bhh = r.GetParameter("bias_hh" + suffix);     // (GH)
                int GH = whh.Value.Size(0), I = wih.Value.Size(1), G = GH / H;
                int[] order = r is Gru ? KerasLayout.GruBlocks : KerasLayout.Identity(G);
                string gh = G == 1 ? "H" : $"{G}H";
                string where = $"{cell} {l + 1} of {L}" + (D == 2 ? (d == 0 ? " (forward layer)" : " (backward layer)") : "");
                arrays.Add(new($"{where} kernel (I, {gh})", [I, GH],
                    a => [(wih, KerasLayout.FromKernel(a, order))], () => KerasLayout.ToKernel(wih.Value, order)));
                arrays.Add(new($"{where} recurrent_kernel (H, {gh})", [H, GH],
                    a => [(whh, KerasLayout.FromKernel(a, order))], () => KerasLayout.ToKernel(whh.Value, order),
                    Hint: s => UnitsHint(r, cell, G, s)));
                if (splitBias)
                    arrays.Add(new($"{where} bias (2, {gh})", [2, GH],
                        a => [(bih, KerasLayout.FromBias(a.Span[..GH], order)), (bhh, KerasLayout.FromBias(a.Span[GH..], order))],
                        () => Rows(KerasLayout.ToBias(bih.Value.Span, order), KerasLayout.ToBias(bhh.Value.Span, order)),
                        Hint: s => s.Length == 1 ? "a (3H) bias is a GRU with reset_after=False: build the Gru with resetAfter: false" : null));
                else
                    arrays.Add(new($"{where} bias ({gh})", [GH],
                        a => [(bih, KerasLayout.FromBias(a.Span, order)), (bhh, Tensor.Zeros(GH))],
                        () => KerasLayout.ToBias(Sum(bih.Value, bhh.Value), order),
                        Hint: s => r is Gru && s.Length == 2 ? "a (2, 3H) bias is a GRU with reset_after=True (Keras' default): build the Gru with resetAfter: true" : null));
            }
        return arrays;
    }

    /// <summary>What a recurrent_kernel of shape (H′, G′·H′) says about the Keras layer, or null.</summary>
    private static string? UnitsHint(RecurrentLayer r, string cell, int gates, int[] actual)
    {
        if (actual.Length != 2 || actual[0] <= 0 || actual[1] % actual[0] != 0) return null;
        int units = actual[0], fileGates = actual[1] / units;
        if (fileGates != gates)
            return $"{fileGates} gate blocks of {units} units is not a Keras {cell} ({gates} blocks): the cell type differs";
        return units != r.Units ? $"the Keras layer has {units} units, layer '{r.Name}' has {r.Units}" : null;
    }

    /// <summary>(2, N) from two (N) rows.</summary>
    private static Tensor Rows(Tensor first, Tensor second) => new(first.ToArray().Concat(second.ToArray()).ToArray(), 2, first.Length);

    private static float[] Sum(Tensor a, Tensor b)
    {
        var s = a.ToArray();
        for (int i = 0; i < s.Length; i++) s[i] += b.Span[i];
        return s;
    }

    /// <summary>One Keras array and the model layer it belongs to (a wrapper names its inner layer's arrays).</summary>
    private sealed record Slot(Layer Owner, KerasArray Array)
    {
        public int[] Shape => Array.Shape;

        public IReadOnlyList<(Parameter Parameter, Tensor Value)> Import(Tensor a) => Array.Import(a);

        public Tensor Export() => Array.Export();

        public string Describe(string arrayName) => $"{arrayName} → layer '{Owner.Name}' ({Owner.GetType().Name}), Keras {Array.Role}";

        public string Mismatch(string arrayName, int[] actual)
        {
            string text = $"{Describe(arrayName)}: expected {Tensor.ShapeString(Shape)}, got {Tensor.ShapeString(actual)}";
            if (Array.Hint?.Invoke(actual) is { } hint) text += $"; {hint}";
            else if (actual.Length == 2 && Shape.Length == 2 && actual[0] == Shape[1] && actual[1] == Shape[0])
                text += "; it looks transposed: Keras kernels are (inputs, units), PyTorch weights (units, inputs) — PyTorch weights go through ImportPyTorch";
            return text + ".";
        }
    }
}
