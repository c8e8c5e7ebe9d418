using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;

namespace Recur.Onnx.Tests;

/// <summary>
/// Cell options ONNX's recurrent operators cannot express are refused by name, before anything is
/// written, rather than exported as a different network.
/// </summary>
public sealed class VariantExportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-onnx-variant-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_projected_lstm_is_refused_and_nothing_is_written()
    {
        string path = Path.Combine(_dir, "m.onnx");
        var model = new Sequential(seed: 2, new Lstm(4, new RecurrentOptions { ProjectionSize = 2 }, name: "projected"), new Dense(1));
        model.Build(-1, 3);
        var e = Assert.Throws<OnnxExportException>(() => model.ExportOnnx(path));
        Assert.Contains("'projected'", e.Message);
        Assert.Contains("ProjectionSize 2", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Theory]
    [InlineData("layernorm", "LayerNorm true")]
    [InlineData("zoneout", "zoneout (ZoneoutHidden 0.25")]
    public void A_layer_normalised_or_zoned_out_cell_is_refused_and_nothing_is_written(string variant, string expected)
    {
        string path = Path.Combine(_dir, "m.onnx");
        var options = variant == "layernorm" ? new RecurrentOptions { LayerNorm = true } : new RecurrentOptions { ZoneoutHidden = 0.25f };
        var model = new Sequential(seed: 2, new Gru(4, options, name: "variant"), new Dense(1));
        model.Build(-1, 3);
        var e = Assert.Throws<OnnxExportException>(() => model.ExportOnnx(path));
        Assert.Contains("'variant'", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }
}
