using Recur.Layers.Recurrent;
using Recur.Models;

namespace Recur.Tests.Cli;

/// <summary>
/// The cell options of the commands whose model is one recurrent stack (classify, tag, charlm):
/// <c>--input-dropout --recurrent-dropout --layer-norm --zoneout</c> reach the saved model, and
/// bad values end with exit code 2 and one line.
/// </summary>
public class CellVariantTests
{
    private static readonly string[] Fast = { "--units", "8", "--seed", "3", "--quiet" };

    private static RecurrentLayer SavedLayer(string run) => Model.Load(Path.Combine(run, "model.recur")).Layers.OfType<RecurrentLayer>().Single();

    [Fact]
    public void Classify_trains_a_layer_normalised_gru_with_recurrent_dropout_and_zoneout_and_saves_them()
    {
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", SmallData.Sentiment(120, 1));
        string run = dir.File("run");
        var result = CliRun.Of(["classify", "--train", train, "--epochs", "2", "--batch", "16", "--cell", "gru",
            "--layer-norm", "--input-dropout", "0.1", "--recurrent-dropout", "0.25", "--zoneout", "0.125", "--out", run, .. Fast]);
        result.ShouldSucceed();
        var o = SavedLayer(run).Options;
        Assert.Equal((true, 0.1f, 0.25f, 0.125f, 0f), (o.LayerNorm, o.InputDropout, o.RecurrentDropout, o.ZoneoutHidden, o.ZoneoutCell));
        CliRun.Of("predict", "--model", run, "--text", "a great film").ShouldSucceed();
    }

    [Fact]
    public void Tag_and_charlm_take_the_options_an_lstm_zones_out_both_states()
    {
        using var dir = new TempDir();
        var train = dir.Write("train.conllu", SmallData.Conllu(30, 1));
        string tagRun = dir.File("tag");
        CliRun.Of(["tag", "--train", train, "--epochs", "1", "--batch", "8", "--zoneout", "0.2", "--layer-norm", "--out", tagRun, .. Fast]).ShouldSucceed();
        var tagged = SavedLayer(tagRun).Options;
        Assert.Equal((true, 0.2f, 0.2f), (tagged.LayerNorm, tagged.ZoneoutHidden, tagged.ZoneoutCell));

        var text = dir.Write("play.txt", SmallData.Play(40));
        string lmRun = dir.File("lm");
        CliRun.Of(["charlm", "train", "--text", text, "--steps", "2", "--eval-every", "2", "--batch", "4", "--seq", "20", "--layers", "1",
            "--recurrent-dropout", "0.3", "--out", lmRun, .. Fast]).ShouldSucceed();
        Assert.Equal(0.3f, SavedLayer(lmRun).Options.RecurrentDropout);
    }

    [Theory]
    [InlineData("--recurrent-dropout", "1.5")]
    [InlineData("--input-dropout", "2")]
    [InlineData("--zoneout", "1")]
    public void A_rate_outside_0_to_1_is_refused_in_one_line(string option, string value)
    {
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", SmallData.Sentiment(20, 1));
        CliRun.Of("classify", "--train", train, option, value, "--out", dir.File("run"))
            .ShouldFailWithOneLine($"{option} is {value}", "[0, 1)");
        dir.HoldsOnly("train.tsv");
    }

    [Fact]
    public void Layer_norm_on_a_simple_rnn_is_refused_in_one_line()
    {
        using var dir = new TempDir();
        var text = dir.Write("play.txt", SmallData.Play(20));
        CliRun.Of("charlm", "train", "--text", text, "--cell", "rnn", "--layer-norm", "--out", dir.File("run"))
            .ShouldFailWithOneLine("--layer-norm", "--cell rnn");
        dir.HoldsOnly("play.txt");
    }
}
