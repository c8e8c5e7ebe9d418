using Recur.Layers;
using Recur.Layers.Attention;
using Recur.Serialization;

namespace Recur.Tests.Layers.Attention;

/// <summary>Forward and backward of every score against PyTorch autograd (tools/make_attention_fixtures.py).</summary>
public class AttentionFixtureTests
{
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "fixtures", "attention");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Folder, "*.safetensors").OrderBy(f => f, StringComparer.Ordinal)) data.Add(Path.GetFileName(f));
        return data;
    }

    [Fact]
    public void Every_score_has_fixtures()
    {
        var names = Directory.GetFiles(Folder, "*.safetensors").Select(Path.GetFileName).ToArray();
        foreach (var score in new[] { "dot", "general", "additive" })
            Assert.True(names.Count(n => n!.StartsWith(score + "_", StringComparison.Ordinal)) >= 3, $"fewer than 3 {score} fixtures");
    }

    [Fact]
    public void The_general_fixtures_cover_both_sides_of_the_projection()
    {
        // GeneralAttention projects the query or the memory, whichever is cheaper; the fixtures must exercise both.
        var sides = Directory.GetFiles(Folder, "general_*.safetensors").Select(f => SafeTensorsFile.Read(f).Metadata)
            .Select(m => GeneralAttention.ProjectsQuery(int.Parse(m["query_steps"]), int.Parse(m["memory_steps"]), int.Parse(m["query_features"]), int.Parse(m["memory_features"])))
            .ToHashSet();
        Assert.Equal(2, sides.Count);
        Assert.True(GeneralAttention.ProjectsQuery(1, 12, 256, 256));   // a decoder step over a source
        Assert.False(GeneralAttention.ProjectsQuery(12, 12, 256, 256)); // teacher-forced: one side as good as the other
    }

    internal static AttentionLayer Create(string score, int units) => score switch
    {
        "dot" => new DotAttention(),
        "general" => new GeneralAttention(),
        "additive" => new AdditiveAttention(units),
        _ => throw new ArgumentException($"unknown score {score}"),
    };

    private static void Near(Tensor expected, Tensor actual, string what, float tol = 2e-5f)
    {
        Assert.Equal(expected.ShapeArray, actual.ShapeArray);
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected.Span[i], a = actual.Span[i];
            if (Math.Abs(e - a) > tol * (1 + Math.Abs(e)))
                Assert.Fail($"{what}[{i}]: expected {e}, got {a}");
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Forward_and_backward_match_pytorch(string file)
    {
        var f = SafeTensorsFile.Read(Path.Combine(Folder, file));
        var layer = Create(f.Metadata["score"], int.Parse(f.Metadata["units"]));
        var query = f.Get("query");
        var memory = f.Get("memory");
        layer.Build(query.Size(2), memory.Size(2), new SeededRandom(1));
        foreach (var p in layer.Parameters) p.Value.CopyFrom(f.Get(p.Name));
        Assert.Equal(f.Names.Where(n => n.StartsWith("grad.", StringComparison.Ordinal) && n is not ("grad.query" or "grad.memory")).Select(n => n[5..]).Order(),
            layer.Parameters.Select(p => p.Name).Order());
        var mask = SequenceMask.FromLengths(f.Get("lengths").ToArray().Select(x => (int)x).ToArray(), memory.Size(1));

        var result = layer.Attend(query, memory, mask, returnWeights: true, training: true);
        Near(f.Get("context"), result.Context, "context");
        Near(f.Get("weights"), result.Weights!, "weights");
        var grads = layer.Backward(result.Cache!, f.Get("grad_context"));
        Near(f.Get("grad.query"), grads.Query, "grad.query", 1e-4f);
        Near(f.Get("grad.memory"), grads.Memory, "grad.memory", 1e-4f);
        foreach (var p in layer.Parameters) Near(f.Get("grad." + p.Name), p.Grad, "grad." + p.Name, 1e-4f);
    }
}
