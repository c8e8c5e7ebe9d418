using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;
using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>
/// Forged <c>.recur</c> files end in <see cref="ModelFormatException"/>, naming what is wrong,
/// without allocating more than the file justifies.
/// </summary>
public class HostileModelFileTests
{
    private static Sequential Small() => new(7, new Embedding(10, 4, name: "embedding"), new Lstm(3, name: "lstm"), new Dense(2, name: "dense"));

    private static string Forge(TempDirectory dir, Action<JsonObject>? architecture = null,
        Func<List<KeyValuePair<string, Tensor>>, List<KeyValuePair<string, Tensor>>>? tensors = null, Sequential? model = null)
    {
        string path = dir.File("forged.recur");
        model ??= Small();
        if (!model.IsBuilt) model.Build(-1);
        ModelFileBytes.Forge(model, path, architecture, tensors);
        return path;
    }

    [Fact]
    public void An_architecture_claiming_more_parameters_than_the_file_holds_fails_before_allocating()
    {
        using var dir = new TempDirectory();
        // 20 million × 4 floats = 320 MB for the weight (and as much for its gradient), in a file of a few KB.
        string path = Forge(dir, a => ModelFileBytes.Config(a, 0)["input_dim"] = 20_000_000);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("more memory than the", e.Message);
        Assert.True(allocated < 32L << 20, $"loading allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_file_whose_weights_match_its_architecture_still_loads_under_the_budget()
    {
        using var dir = new TempDirectory();
        var model = new Sequential(3, new Embedding(3000, 64, name: "embedding"), new Bidirectional(new Gru(64), name: "bi"), new Dense(5, name: "dense"));
        model.Build(-1);
        string path = dir.File("ok.recur");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(model.Layers[0].Parameters[0].Value.ToArray(), loaded.Layers[0].Parameters[0].Value.ToArray());
    }

    [Fact]
    public void Units_whose_gate_rows_overflow_are_refused()
    {
        using var dir = new TempDirectory();
        const int units = 1 << 30; // 4 gates × 2^30 rows wraps to 0 in 32 bits
        var model = new Sequential(1, new Lstm(2, bidirectional: true, name: "lstm"));
        model.Build(-1, 3);
        string path = Forge(dir, a => ModelFileBytes.Config(a, 0)["units"] = units,
            list => list.Select(kv => KeyValuePair.Create(kv.Key, kv.Key.Contains("weight_ih") ? Tensor.Zeros(0, 3)
                : kv.Key.Contains("weight_hh") ? Tensor.Zeros(0, units) : Tensor.Zeros(0))).ToList(), model);

        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));
        Assert.Contains("gates × units", e.Message);
    }

    [Fact]
    public void A_seed_beyond_64_bits_is_a_format_error()
    {
        using var dir = new TempDirectory();
        string path = Forge(dir, a => a["seed"] = "18446744073709551616");
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));
        Assert.Contains("'seed'", e.Message);
    }

    [Fact]
    public void An_empty_layer_list_is_a_format_error()
    {
        using var dir = new TempDirectory();
        string path = Forge(dir, a => a["layers"] = new JsonArray(), _ => new());
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));
        Assert.Contains("lists 0 layers", e.Message);
    }

    [Fact]
    public void Only_the_time_axis_of_the_input_shape_may_be_free()
    {
        using var dir = new TempDirectory();
        var model = new Sequential(1, new Lstm(2, name: "lstm"), new Dense(1, name: "dense"));
        model.Build(-1, 3);
        string path = Forge(dir, a => a["input_shape"] = new JsonArray(-1, -1), model: model);
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));
        Assert.Contains("input_shape entry 1", e.Message);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "+∞")]
    public void Non_finite_weights_are_refused(float bad, string shown)
    {
        using var dir = new TempDirectory();
        string path = Forge(dir, tensors: list => list.Select(kv =>
        {
            if (kv.Key != "dense.bias") return kv;
            var t = kv.Value.Clone();
            t.Span[1] = bad;
            return KeyValuePair.Create(kv.Key, t);
        }).ToList());

        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));
        Assert.Contains($"tensor 'dense.bias' holds 1 non-finite value; the first is {shown}, element 1", e.Message);
    }

    [Fact]
    public void An_oversized_architecture_text_is_refused_before_parsing()
    {
        using var dir = new TempDirectory();
        string path = Forge(dir, a => a["padding"] = new string(' ', Limits.MaxArchitectureJsonBytes));
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));
        Assert.Contains("at most", e.Message);
    }
}

/// <summary>The allocation budget charges every layer, whatever its type: a user-defined one too.</summary>
public class AllocationBudgetTests
{
    private sealed class Wide(int width) : Layer("wide")
    {
        public override int[] ComputeOutputShape(int[] inputShape) => inputShape;
        public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false) => input;
        public override Tensor Backward(Tensor gradOutput) => gradOutput;
        protected override void BuildCore(int[] inputShape, SeededRandom random) => AddParameter("w", Tensor.Zeros(width, inputShape[^1]));
    }

    [Fact]
    public void A_user_defined_layer_is_charged_before_it_allocates()
    {
        using var budget = AllocationBudget.Open(1 << 20, (needed, used) => $"needs {needed} after {used}");
        new Wide(16).Build(new[] { 4 });                         // 256 bytes and as much for the gradient: fine
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => new Wide(10_000_000).Build(new[] { 4 }));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Equal("needs 160000000 after 512", e.Message);
    }

    [Fact]
    public void Outside_a_scope_nothing_is_charged_and_scopes_nest()
    {
        using (AllocationBudget.Open(4 * 10, (_, _) => "outer"))
        {
            using (var inner = AllocationBudget.Open(4 * 100, (_, _) => "inner"))
            {
                Tensor.Zeros(50);
                Assert.Equal(200, inner.UsedBytes);
            }
            Assert.Equal("outer", Assert.Throws<InvalidDataException>(() => Tensor.Zeros(11)).Message);
        }
        Assert.Equal(1_000_000, Tensor.Zeros(1_000_000).Length);
    }
}
