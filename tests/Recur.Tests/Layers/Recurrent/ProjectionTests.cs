using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;
using Recur.Serialization;

namespace Recur.Tests.Layers.Recurrent;

// Shapes: B batch, T time, I input, H hidden, P projection, L stacked layers, D directions.

/// <summary>
/// <see cref="RecurrentOptions.ProjectionSize"/> beyond the PyTorch parity fixtures (torch_proj,
/// in <see cref="TorchParityTests"/>): shapes, model files, stepping, the refused inputs.
/// </summary>
public sealed class ProjectionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-proj-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const int B = 3, T = 5, I = 4, H = 6, P = 2;

    private static Tensor Input(int batch, int steps, ulong seed)
    {
        var r = new SeededRandom(seed);
        var x = Tensor.Zeros(batch, steps, I);
        for (int k = 0; k < x.Length; k++) x.Span[k] = r.NextFloat() * 2f - 1f;
        return x;
    }

    [Fact]
    public void Shapes_follow_pytorch_h_and_outputs_p_wide_c_h_wide()
    {
        var lstm = new Lstm(H, new RecurrentOptions { ProjectionSize = P, NumLayers = 2, Bidirectional = true, ReturnSequences = true });
        lstm.Build(new[] { T, I }, new SeededRandom(1));
        Assert.Equal(P, lstm.StateSize);
        Assert.Equal(2 * P, lstm.OutputWidth);
        Assert.Equal(new[] { 4 * H, 2 * P }, lstm.GetParameter("weight_ih_l1").Value.ShapeArray);
        Assert.Equal(new[] { 4 * H, P }, lstm.GetParameter("weight_hh_l1_reverse").Value.ShapeArray);
        Assert.Equal(new[] { P, H }, lstm.GetParameter("weight_hr_l0_reverse").Value.ShapeArray);
        // PyTorch's state_dict order: weight_ih, weight_hh, bias_ih, bias_hh, weight_hr, per direction.
        Assert.Equal(new[] { "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0", "weight_ih_l0_reverse" },
            lstm.Parameters.Take(6).Select(p => p.Name));
        var r = lstm.ForwardWithState(Input(B, T, 2));
        Assert.Equal(new[] { B, T, 2 * P }, r.Output.ShapeArray);
        Assert.Equal(new[] { 4, B, P }, r.HiddenState.ShapeArray);
        Assert.Equal(new[] { 4, B, H }, r.CellState!.ShapeArray);
    }

    [Fact]
    public void Stepping_one_step_at_a_time_gives_the_bits_of_the_whole_sequence()
    {
        var lstm = new Lstm(H, new RecurrentOptions { ProjectionSize = P, NumLayers = 2, ReturnSequences = true });
        lstm.Build(new[] { T, I }, new SeededRandom(4));
        StepCheck.WholeEqualsSteps(lstm, Input(1, T, 5)); // one row: the path that would split units for a plain cell
    }

    [Fact]
    public void A_model_file_saves_and_loads_the_projection()
    {
        var model = new Sequential(7,
            new Bidirectional(new Lstm(H, new RecurrentOptions { ProjectionSize = P, ReturnSequences = true, NumLayers = 2 })),
            new Lstm(5, new RecurrentOptions { ProjectionSize = 3 }),
            new Dense(1))
        { Output = TextWriter.Null };
        model.Build(T, I);
        var x = Input(B, T, 8);
        string path = Path.Combine(_dir, "proj.recur");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(model.Predict(x).ToArray(), loaded.Predict(x).ToArray());
        var inner = Assert.IsType<Bidirectional>(loaded.Layers[0]).Inner;
        Assert.Equal(P, inner.Options.ProjectionSize);
        Assert.Equal(3, Assert.IsType<Lstm>(loaded.Layers[1]).Options.ProjectionSize);
        Assert.Equal(new[] { P, H }, SafeTensorsFile.Read(path).ShapeOf(model.Layers[0].Name + ".weight_hr_l1_reverse").ToArray());
    }

    [Fact]
    public void A_plain_layer_writes_no_projection_key()
        => Assert.False(new Lstm(H).GetConfig().ContainsKey("proj_size"));

    [Theory]
    [InlineData(-1)]
    [InlineData(H)]
    [InlineData(H + 3)]
    public void A_projection_outside_1_to_units_minus_1_is_refused_with_the_range_and_value(int projection)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Lstm(H, new RecurrentOptions { ProjectionSize = projection }));
        Assert.Equal("options", e.ParamName);
        Assert.Contains($"ProjectionSize is {projection}", e.Message);
        Assert.Contains($"[1, {H - 1}]", e.Message);
    }

    [Fact]
    public void Gru_and_SimpleRnn_refuse_a_projection()
    {
        var options = new RecurrentOptions { ProjectionSize = 2 };
        Assert.Contains("Gru", Assert.Throws<ArgumentOutOfRangeException>(() => new Gru(H, options)).Message);
        Assert.Contains("SimpleRnn", Assert.Throws<ArgumentOutOfRangeException>(() => new SimpleRnn(H, options)).Message);
    }

    [Fact]
    public void A_state_of_the_wrong_width_is_refused()
    {
        var lstm = new Lstm(H, new RecurrentOptions { ProjectionSize = P });
        lstm.Build(new[] { T, I }, new SeededRandom(1));
        var x = Input(B, T, 3);
        Assert.Throws<ArgumentException>(() => lstm.ForwardWithState(x, Tensor.Zeros(1, B, H)));
        Assert.Throws<ArgumentException>(() => lstm.ForwardWithState(x, Tensor.Zeros(1, B, P), Tensor.Zeros(1, B, P)));
        Assert.Throws<ArgumentException>(() => lstm.Step(Tensor.Zeros(B, I), new RecurrentState(Tensor.Zeros(1, B, P), Tensor.Zeros(1, B, P))));
        var ok = lstm.ForwardWithState(x, Tensor.Zeros(1, B, P), Tensor.Zeros(1, B, H));
        Assert.Equal(new[] { B, T, P }, ok.Output.ShapeArray);
    }
}
