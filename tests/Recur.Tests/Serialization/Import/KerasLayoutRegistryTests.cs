using Recur.Layers;
using Recur.Models;
using Recur.Serialization;

namespace Recur.Tests.Serialization.Import;

/// <summary>A layer type of one's own takes part in the Keras weight mapping once its layout is registered.</summary>
public class KerasLayoutRegistryTests
{
    /// <summary>y = x ⊙ gain + bias over the last axis; Keras would hold [bias, gain] (the reverse of the parameter order).</summary>
    private sealed class GainBias(string? name = null) : Layer(name)
    {
        protected override void BuildCore(int[] inputShape, SeededRandom random)
        {
            AddParameter("gain", Tensor.Zeros(inputShape[^1]));
            AddParameter("bias", Tensor.Zeros(inputShape[^1]));
        }

        public override int[] ComputeOutputShape(int[] inputShape) => (int[])inputShape.Clone();

        public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false) => Infer(input, mask);

        public override Tensor Infer(Tensor input, SequenceMask? mask = null)
        {
            EnsureBuilt(input);
            var g = GetParameter("gain").Value.Span;
            var b = GetParameter("bias").Value.Span;
            var y = input.Clone();
            for (int i = 0; i < y.Length; i++) y.Span[i] = y.Span[i] * g[i % g.Length] + b[i % b.Length];
            return y;
        }

        public override Tensor Backward(Tensor gradOutput) => throw new NotSupportedException("inference only");
    }

    /// <summary>A layer with weights and no registered layout.</summary>
    private sealed class Unregistered(string? name = null) : Layer(name)
    {
        protected override void BuildCore(int[] inputShape, SeededRandom random) => AddParameter("w", Tensor.Zeros(1));

        public override int[] ComputeOutputShape(int[] inputShape) => (int[])inputShape.Clone();

        public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false) => input;

        public override Tensor Infer(Tensor input, SequenceMask? mask = null) => input;

        public override Tensor Backward(Tensor gradOutput) => gradOutput;
    }

    static KerasLayoutRegistryTests()
        => KerasImport.RegisterLayout<GainBias>(l =>
            [KerasArray.Copy("GainBias bias (F)", l.GetParameter("bias")), KerasArray.Copy("GainBias gain (F)", l.GetParameter("gain"))]);

    [Fact]
    public void A_registered_layout_loads_and_exports_in_its_own_order()
    {
        var model = new Sequential(new GainBias("scale"), new Dense(1, name: "out"));
        model.Build(2, 3);
        var bias = new Tensor([0.5f, -1f, 2f], 3);
        var gain = new Tensor([3f, 4f, 5f], 3);
        var kernel = new Tensor([1f, 2f, 3f], 3, 1);
        var outBias = new Tensor([0.25f], 1);
        KerasImport.Load(model.Layers[0], [bias, gain]);
        KerasImport.Load(model.Layers[1], [kernel, outBias]);

        Assert.Equal(gain.ToArray(), model.Layers[0].GetParameter("gain").Value.ToArray());
        Assert.Equal(bias.ToArray(), model.Layers[0].GetParameter("bias").Value.ToArray());
        var arrays = KerasImport.ToKerasArrays(model);
        Assert.Equal([bias.ToArray(), gain.ToArray(), kernel.ToArray(), outBias.ToArray()], arrays.Select(a => a.ToArray()));

        // A wrong shape names the layer and the registered role.
        var e = Assert.Throws<WeightImportException>(() => KerasImport.Load(model.Layers[0], [Tensor.Zeros(4), gain]));
        Assert.Contains("GainBias bias (F)", e.Message);
        Assert.Contains("layer 'scale'", e.Message);
    }

    [Fact]
    public void A_layer_with_weights_and_no_layout_is_refused_by_name_and_a_type_registers_once()
    {
        var layer = new Unregistered("mine");
        layer.Build([2], new SeededRandom(1));
        var e = Assert.Throws<NotSupportedException>(() => KerasImport.ToKerasArrays(layer));
        Assert.Contains("'mine'", e.Message);
        Assert.Contains("RegisterLayout<Unregistered>", e.Message);
        var again = Assert.Throws<ArgumentException>(() => KerasImport.RegisterLayout<Dense>(_ => []));
        Assert.Contains("Dense has a Keras layout already", again.Message);
    }
}
