using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Serialization;

namespace Recur.Tests.Layers.Recurrent;

/// <summary>
/// Parity with PyTorch on the same weights: every fixture in tests/fixtures/torch (and
/// torch_packed, which adds per-sequence lengths) is loaded into a layer, run forward and
/// backward, and every tensor compared with max|actual − expected| ≤ 1e-5·max(1, max|expected|).
/// Fixtures come from tools/make_torch_fixtures.py (PyTorch in float64 on float32-rounded inputs).
/// </summary>
public class TorchParityTests
{
    private static string FixtureDir(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    public static IEnumerable<object[]> Fixtures() => Files("torch");

    public static IEnumerable<object[]> PackedFixtures() => Files("torch_packed");

    public static IEnumerable<object[]> ProjectedFixtures() => Files("torch_proj");

    public static IEnumerable<object[]> LayerNormFixtures() => Files("torch_layernorm");

    private static IEnumerable<object[]> Files(string folder)
    {
        var files = Directory.GetFiles(FixtureDir(folder), "*.safetensors").OrderBy(f => f, StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new InvalidOperationException($"No fixtures in {FixtureDir(folder)}.");
        return files.Select(f => new object[] { folder, Path.GetFileName(f) });
    }

    [Fact]
    public void Every_cell_and_edge_size_is_covered()
    {
        var metas = Directory.GetFiles(FixtureDir("torch"), "*.safetensors").Select(f => SafeTensorsFile.Read(f).Metadata).ToList();
        foreach (var cell in new[] { "lstm", "gru", "rnn_tanh", "rnn_relu" })
        {
            var mine = metas.Where(m => m["cell"] == cell).ToList();
            Assert.Contains(mine, m => m["bidirectional"] == "true");
            Assert.Equal(new[] { "1", "2", "3" }, mine.Select(m => m["num_layers"]).Distinct().Order());
            foreach (var key in new[] { "seq_len", "batch", "hidden_size", "input_size" })
                Assert.Contains(mine, m => m[key] == "1");
            Assert.Contains(mine, m => int.Parse(m["hidden_size"]) >= 13 || int.Parse(m["input_size"]) >= 13);
        }
    }

    [Fact]
    public void Every_projection_case_is_covered()
    {
        var files = Directory.GetFiles(FixtureDir("torch_proj"), "*.safetensors").Select(SafeTensorsFile.Read).ToList();
        var metas = files.Select(f => f.Metadata).ToList();
        Assert.All(metas, m => Assert.Equal("lstm", m["cell"]));
        Assert.Equal(new[] { "1", "2", "3" }, metas.Select(m => m["num_layers"]).Distinct().Order());
        foreach (var key in new[] { "seq_len", "batch", "proj_size" }) Assert.Contains(metas, m => m[key] == "1");
        foreach (var layers in new[] { "1", "2", "3" })
            Assert.Equal(new[] { "false", "true" }, metas.Where(m => m["num_layers"] == layers).Select(m => m["bidirectional"]).Distinct().Order());
        Assert.Contains(files, f => f.Contains("lengths") && f.Metadata["bidirectional"] == "true");
    }

    [Fact]
    public void Every_layer_norm_case_is_covered()
    {
        var files = Directory.GetFiles(FixtureDir("torch_layernorm"), "*.safetensors").Select(SafeTensorsFile.Read).ToList();
        foreach (var cell in new[] { "lstm", "gru" })
        {
            var mine = files.Where(f => f.Metadata["cell"] == cell).ToList();
            Assert.All(mine, f => Assert.Equal("true", f.Metadata["layer_norm"]));
            Assert.Equal(new[] { "1", "2" }, mine.Select(f => f.Metadata["num_layers"]).Distinct().Order());
            Assert.Equal(new[] { "false", "true" }, mine.Select(f => f.Metadata["bidirectional"]).Distinct().Order());
            foreach (var key in new[] { "seq_len", "batch" }) Assert.Contains(mine, f => f.Metadata[key] == "1");
            Assert.Contains(mine, f => f.Contains("lengths") && f.Metadata["bidirectional"] == "true");
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    [MemberData(nameof(PackedFixtures))]
    [MemberData(nameof(ProjectedFixtures))]
    [MemberData(nameof(LayerNormFixtures))]
    public void Matches_pytorch(string folder, string file)
    {
        var f = SafeTensorsFile.Read(Path.Combine(FixtureDir(folder), file));
        var meta = f.Metadata;
        Assert.Equal("true", meta["batch_first"]);
        string cell = meta["cell"];
        int H = int.Parse(meta["hidden_size"]), L = int.Parse(meta["num_layers"]);
        int B = int.Parse(meta["batch"]), T = int.Parse(meta["seq_len"]), I = int.Parse(meta["input_size"]);
        bool bi = meta["bidirectional"] == "true";
        int P = meta.TryGetValue("proj_size", out var proj) ? int.Parse(proj) : 0;
        bool layerNorm = meta.TryGetValue("layer_norm", out var ln) && ln == "true";
        var layer = RecurrentFactory.Create(cell, H, new RecurrentOptions
        {
            NumLayers = L, Bidirectional = bi, ReturnSequences = true, ProjectionSize = P, LayerNorm = layerNorm,
        });
        layer.Build(new[] { T, I });
        foreach (var p in layer.Parameters) p.Value.CopyFrom(f.Get(p.Name));
        Assert.Equal(f.Names.Count(n => n.StartsWith("weight_") || n.StartsWith("bias_") || n.StartsWith("ln_")), layer.Parameters.Count);

        bool lstm = cell == "lstm";
        SequenceMask? mask = null;
        if (f.Contains("lengths"))
            mask = SequenceMask.FromLengths(f.Get("lengths").Span.ToArray().Select(v => (int)v).ToArray(), T);

        var result = layer.ForwardWithState(f.Get("input"), f.Get("h0"), lstm ? f.Get("c0") : null, mask);
        AssertClose("output", f.Get("output"), result.Output);
        AssertClose("h_n", f.Get("h_n"), result.HiddenState);
        if (lstm) AssertClose("c_n", f.Get("c_n"), result.CellState!);

        layer.ZeroGrad();
        var grads = layer.BackwardWithState(f.Get("grad_output"), f.Get("grad_h_n"), lstm ? f.Get("grad_c_n") : null);
        AssertClose("grad.input", f.Get("grad.input"), grads.Input!);
        AssertClose("grad.h0", f.Get("grad.h0"), grads.InitialHidden);
        if (lstm) AssertClose("grad.c0", f.Get("grad.c0"), grads.InitialCell!);
        foreach (var p in layer.Parameters) AssertClose("grad." + p.Name, f.Get("grad." + p.Name), p.Grad);
    }

    internal static void AssertClose(string name, Tensor expected, Tensor actual)
    {
        Assert.True(expected.SameShape(actual.Shape),
            $"{name}: shape {Tensor.ShapeString(actual.Shape)}, expected {Tensor.ShapeString(expected.Shape)}.");
        float maxExpected = 0, maxDiff = 0;
        int worst = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            maxExpected = MathF.Max(maxExpected, MathF.Abs(expected.Span[i]));
            float d = MathF.Abs(actual.Span[i] - expected.Span[i]);
            if (!(d <= maxDiff)) { maxDiff = d; worst = i; }
        }
        float bound = 1e-5f * MathF.Max(1f, maxExpected);
        if (!(maxDiff <= bound))
            Assert.Fail($"{name}: max |actual − expected| = {maxDiff:G4} at flat index {worst} " +
                        $"(actual {actual.Span[worst]}, expected {expected.Span[worst]}) exceeds {bound:G4}.");
    }
}
