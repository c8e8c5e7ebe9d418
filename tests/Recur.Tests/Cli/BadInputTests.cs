namespace Recur.Tests.Cli;

/// <summary>
/// Every kind of bad input ends with exit code 2, one line on stderr saying what and where, and
/// no output directory (neither complete nor partial).
/// </summary>
public class BadInputTests
{
    [Fact]
    public void Missing_file()
    {
        using var dir = new TempDir();
        var run = CliRun.Of("classify", "--train", dir.File("nope.tsv"), "--out", dir.File("run"));
        run.ShouldFailWithOneLine("nope.tsv", "file not found");
        dir.HoldsOnly();
    }

    [Fact]
    public void Empty_file()
    {
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", "");
        CliRun.Of("classify", "--train", train, "--out", dir.File("run")).ShouldFailWithOneLine("train.tsv", "empty");
        dir.HoldsOnly("train.tsv");
    }

    [Fact]
    public void Column_that_does_not_exist()
    {
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", SmallData.Sentiment(20, 1));
        CliRun.Of("classify", "--train", train, "--label-column", "stars", "--out", dir.File("run"))
            .ShouldFailWithOneLine("train.tsv", "no column \"stars\"", "text, label");
        CliRun.Of("classify", "--train", train, "--text-column", "7", "--out", dir.File("run"))
            .ShouldFailWithOneLine("train.tsv", "--text-column 7", "0-1");
        dir.HoldsOnly("train.tsv");
    }

    [Fact]
    public void Non_numeric_target_cell_names_file_line_and_column()
    {
        using var dir = new TempDir();
        var lines = SmallData.Seasonal(30).Split("\r\n");
        lines[16] = "\"m15\",summer,12x"; // line 17 of the file
        var csv = dir.Write("airline.csv", string.Join("\r\n", lines));
        CliRun.Of("forecast", "--csv", csv, "--window", "4", "--out", dir.File("run"))
            .ShouldFailWithOneLine("airline.csv line 17: \"12x\" is not a number in column value");
        dir.HoldsOnly("airline.csv");
    }

    [Fact]
    public void Label_column_with_a_single_class()
    {
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", "text\tlabel\ngood film\tpos\ngreat film\tpos\nfine film\tpos\n");
        CliRun.Of("classify", "--train", train, "--out", dir.File("run")).ShouldFailWithOneLine("single class", "\"pos\"");
        dir.HoldsOnly("train.tsv");
    }

    [Fact]
    public void Text_file_of_zero_length()
    {
        using var dir = new TempDir();
        var text = dir.Write("input.txt", "");
        CliRun.Of("charlm", "train", "--text", text, "--out", dir.File("run")).ShouldFailWithOneLine("input.txt", "empty");
        dir.HoldsOnly("input.txt");
    }

    [Fact]
    public void Conllu_line_with_the_wrong_number_of_fields()
    {
        using var dir = new TempDir();
        var good = SmallData.Conllu(5, 1).Split('\n').ToList();
        int bad = good.FindIndex(l => l.StartsWith("2\t"));
        good[bad] = "2\tdog\tNOUN";
        var train = dir.Write("train.conllu", string.Join('\n', good));
        CliRun.Of("tag", "--train", train, "--out", dir.File("run"))
            .ShouldFailWithOneLine($"train.conllu line {bad + 1}", "3 tab-separated fields", "10");
        dir.HoldsOnly("train.conllu");
    }

    [Fact]
    public void Window_longer_than_the_series()
    {
        using var dir = new TempDir();
        var csv = dir.Write("series.csv", SmallData.Seasonal(40));
        CliRun.Of("forecast", "--csv", csv, "--window", "50", "--out", dir.File("run"))
            .ShouldFailWithOneLine("--window 50 is longer than the series", "40 rows");
        dir.HoldsOnly("series.csv");
    }

    [Fact]
    public void Test_labels_unknown_to_training()
    {
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", SmallData.Sentiment(20, 1));
        var test = dir.Write("test.tsv", "text\tlabel\nso so\tmeh\n");
        CliRun.Of("classify", "--train", train, "--test", test, "--out", dir.File("run"))
            .ShouldFailWithOneLine("test.tsv line 2", "\"meh\"");
        dir.HoldsOnly("train.tsv", "test.tsv");
    }

    [Fact]
    public void Ragged_csv_row()
    {
        using var dir = new TempDir();
        var csv = dir.Write("series.csv", "a,b\n1,2\n3\n4,5\n");
        CliRun.Of("forecast", "--csv", csv, "--window", "1", "--out", dir.File("run")).ShouldFailWithOneLine("series.csv line 3", "1 fields; expected 2");
    }

    [Theory]
    [InlineData("classify", "--epochs", "0", "--epochs is 0")]
    [InlineData("classify", "--lr", "-1", "--lr is -1")]
    [InlineData("forecast", "--horizon", "0", "--horizon is 0")]
    [InlineData("classify", "--cell", "transformer", "transformer")]
    [InlineData("classify", "--units", "many", "many")]
    [InlineData("tag", "--init", "glorot", "glorot")]
    [InlineData("classify", "--frobnicate", "1", "--frobnicate")]
    public void Bad_options(string command, string option, string value, string fragment)
    {
        using var dir = new TempDir();
        CliRun.Of(command, option, value, "--out", dir.File("run")).ShouldFailWithOneLine(fragment);
        dir.HoldsOnly();
    }

    [Fact]
    public void Predict_without_a_model_file()
    {
        using var dir = new TempDir();
        CliRun.Of("predict", "--model", dir.File("model.recur"), "--text", "hello").ShouldFailWithOneLine("model.recur", "file not found");
        CliRun.Of("predict", "--model", dir.File("model.recur")).ShouldFailWithOneLine("--text");
    }

    [Fact]
    public void Sample_prime_outside_the_alphabet()
    {
        using var dir = new TempDir();
        var text = dir.Write("play.txt", SmallData.Play(30));
        string run = dir.File("run");
        CliRun.Of("charlm", "train", "--text", text, "--steps", "1", "--eval-every", "1", "--batch", "2", "--seq", "10", "--units", "4", "--layers", "1", "--quiet", "--out", run).ShouldSucceed();
        CliRun.Of("charlm", "sample", "--model", run, "--prime", "Zebra").ShouldFailWithOneLine("'Z'");
    }
}
