namespace Recur.Cli.Output;

/// <summary>The plots every training command draws from its history.</summary>
internal static class Plots
{
    /// <summary>
    /// <c>loss.svg</c> (training and validation loss per round) and, when <paramref name="metric"/>
    /// is logged, <c>METRIC.svg</c> (training and validation values). Returns the file names written.
    /// </summary>
    public static List<string> LearningCurves(HistoryCsv history, Func<string, string> file, string title, string? metric = null, string round = "epoch")
    {
        var written = new List<string>();
        var x = history.Column("epoch");
        var loss = new SvgPlot($"{title}: loss", round, "loss").Add("train", x, history.Column("loss"));
        if (history.Has("val_loss")) loss.Add("validation", x, history.Column("val_loss"));
        loss.Save(file("loss.svg"));
        written.Add("loss.svg");
        if (metric is not null && (history.Has(metric) || history.Has("val_" + metric)))
        {
            var plot = new SvgPlot($"{title}: {metric.Replace('_', ' ')}", round, metric.Replace('_', ' '));
            if (history.Has(metric)) plot.Add("train", x, history.Column(metric));
            if (history.Has("val_" + metric)) plot.Add("validation", x, history.Column("val_" + metric));
            plot.Save(file(metric + ".svg"));
            written.Add(metric + ".svg");
        }
        return written;
    }
}
