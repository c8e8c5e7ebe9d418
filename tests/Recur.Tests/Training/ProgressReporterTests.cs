using Recur.Training;

namespace Recur.Tests.Training;

/// <summary>
/// The printed progress, character for character, on a clock the test moves: the bar's share,
/// the time left while running and taken at the end, ms/step, the redraw limit, the number format.
/// </summary>
public class ProgressReporterTests
{
    private TimeSpan _now = TimeSpan.FromSeconds(10); // an origin that is not 0: the epoch's own start counts

    private sealed class FlushCounter : StringWriter
    {
        public int Flushes { get; private set; }

        public override void Flush()
        {
            Flushes++;
            base.Flush();
        }
    }

    private ProgressReporter Reporter(TextWriter output, Verbosity verbosity, bool terminal = false) => new(output, verbosity, terminal, () => _now);

    private void At(int milliseconds) => _now = TimeSpan.FromSeconds(10) + TimeSpan.FromMilliseconds(milliseconds);

    private static Dictionary<string, double> Loss(double loss) => new() { ["loss"] = loss };

    /// <summary>A 20-character bar with <paramref name="filled"/> cells done.</summary>
    private static string Bar(int filled) => new string('━', filled) + new string(' ', 20 - filled);

    [Fact]
    public void The_bar_shows_the_share_done_the_time_left_and_ms_per_step_then_the_time_taken()
    {
        var w = new FlushCounter();
        var r = Reporter(w, Verbosity.ProgressBar);
        At(0);
        r.EpochBegin(0, 3, 4);
        At(400);
        r.BatchEnd(0, Loss(0.25)); // 0.4 s since the start: drawn; 0.4 s/step, 3 steps left
        At(450);
        r.BatchEnd(1, Loss(0.5)); // 50 ms since the last draw: not drawn
        At(600);
        r.BatchEnd(2, Loss(0.125)); // 200 ms since: drawn
        At(620);
        r.BatchEnd(3, Loss(1)); // the last step: always drawn
        r.EpochEnd(0, 3, new Dictionary<string, double> { ["loss"] = 1, ["lr"] = 0.0001 });
        string expected =
            "Epoch 1/3" + Environment.NewLine +
            "\r1/4 " + Bar(5) + " 1s 400ms/step - loss: 0.2500\u001b[K" +
            "\r3/4 " + Bar(15) + " 200ms 200ms/step - loss: 0.1250\u001b[K" +
            "\r4/4 " + Bar(20) + " 620ms 155ms/step - loss: 1.0000\u001b[K" +   // at the end: the time taken
            "\r4/4 " + Bar(20) + " 620ms 155ms/step - loss: 1.0000 - lr: 1.0000e-4\u001b[K\n";
        Assert.Equal(expected, w.ToString());
        Assert.Equal(4, w.Flushes); // each drawn step and the epoch's end
    }

    [Fact]
    public void Each_epoch_restarts_the_clock_and_the_redraw_limit()
    {
        var w = new StringWriter();
        var r = Reporter(w, Verbosity.ProgressBar);
        At(0);
        r.EpochBegin(0, 2, 2);
        At(5000);
        r.BatchEnd(0, Loss(1)); // drawn 5 s into the epoch
        At(6000);
        r.BatchEnd(1, Loss(1));
        r.EpochEnd(0, 2, Loss(1));
        At(20000);
        r.EpochBegin(1, 2, 2);
        w.GetStringBuilder().Clear();
        At(20300);
        r.BatchEnd(0, Loss(1)); // 0.3 s into the new epoch: drawn, though less than 5 s after the last draw
        Assert.Equal("\r1/2 " + Bar(10) + " 300ms 300ms/step - loss: 1.0000\u001b[K", w.ToString());
    }

    [Fact]
    public void An_epoch_cut_short_keeps_its_bar_at_the_steps_done_with_the_time_taken()
    {
        // A budget or Ctrl-C ends the epoch after 4 of its 10 steps: the last line shows 4/10, not a full bar.
        var w = new StringWriter();
        var r = Reporter(w, Verbosity.ProgressBar);
        At(0);
        r.EpochBegin(0, 1, 10);
        for (int step = 0; step < 4; step++)
        {
            At(50 * (step + 1));
            r.BatchEnd(step, Loss(0.5)); // 50 ms apart: only the first is drawn
        }
        w.GetStringBuilder().Clear();
        At(230);
        r.EpochEnd(0, 1, Loss(0.5));
        Assert.Equal("\r4/10 " + Bar(8) + " 230ms 58ms/step - loss: 0.5000\u001b[K\n", w.ToString());
    }

    [Fact]
    public void Exactly_one_second_is_written_in_seconds_and_no_metrics_leave_no_separator()
    {
        var line = new StringWriter();
        var r = Reporter(line, Verbosity.EpochLine);
        At(0);
        r.EpochBegin(0, 1, 1);
        At(1000);
        r.BatchEnd(0, Loss(0.5));
        r.EpochEnd(0, 1, Loss(0.5));
        Assert.Equal("Epoch 1/1 - 1s - loss: 0.5000" + Environment.NewLine, line.ToString());

        var bar = new StringWriter();
        r = Reporter(bar, Verbosity.ProgressBar);
        At(0);
        r.EpochBegin(0, 1, 2);
        bar.GetStringBuilder().Clear();
        At(200);
        r.BatchEnd(0, new Dictionary<string, double>());
        Assert.Equal("\r1/2 " + Bar(10) + " 200ms 200ms/step\u001b[K", bar.ToString());
    }

    [Fact]
    public void Before_the_redraw_interval_nothing_is_drawn_but_the_last_step()
    {
        var w = new StringWriter();
        var r = Reporter(w, Verbosity.ProgressBar);
        At(0);
        r.EpochBegin(0, 1, 3);
        w.GetStringBuilder().Clear();
        At(99);
        r.BatchEnd(0, Loss(1));
        r.BatchEnd(1, Loss(1));
        Assert.Equal("", w.ToString());
        At(100);
        r.BatchEnd(1, Loss(1)); // exactly the interval: drawn
        Assert.StartsWith("\r2/3 ", w.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_source_of_unknown_length_shows_steps_and_time_without_a_bar()
    {
        var w = new StringWriter();
        var r = Reporter(w, Verbosity.ProgressBar);
        At(0);
        r.EpochBegin(1, 5, 0);
        At(300);
        r.BatchEnd(0, Loss(0.5));
        At(350);
        r.BatchEnd(1, new Dictionary<string, double>()); // unknown length: no step is the last one; not drawn
        At(2600);
        r.EpochEnd(1, 5, new Dictionary<string, double>());
        string s = w.ToString();
        Assert.Equal("Epoch 2/5" + Environment.NewLine + "\r1 steps 300ms - loss: 0.5000\u001b[K" + "\r2 steps 3s\u001b[K\n", s);
    }

    [Fact]
    public void Redirected_output_gets_one_line_per_epoch_and_a_terminal_the_bar()
    {
        var lines = new StringWriter();
        var r = Reporter(lines, Verbosity.Auto, terminal: false);
        At(0);
        r.EpochBegin(0, 2, 1);
        At(1400);
        r.BatchEnd(0, Loss(0));
        r.EpochEnd(0, 2, new Dictionary<string, double> { ["loss"] = 0, ["mae"] = 0.001, ["rmse"] = -0.0005, ["big"] = 12345.678 });
        Assert.Equal("Epoch 1/2 - 1s - loss: 0.0000 - mae: 0.0010 - rmse: -5.0000e-4 - big: 12345.6780" + Environment.NewLine, lines.ToString());

        var bar = new StringWriter();
        r = Reporter(bar, Verbosity.Auto, terminal: true);
        r.EpochBegin(0, 2, 1);
        Assert.Equal("Epoch 1/2" + Environment.NewLine, bar.ToString());

        var silent = new StringWriter();
        r = Reporter(silent, Verbosity.Silent, terminal: true);
        r.EpochBegin(0, 2, 1);
        r.BatchEnd(0, Loss(1));
        r.EpochEnd(0, 2, Loss(1));
        Assert.Equal("", silent.ToString());

        var forced = new StringWriter();
        r = Reporter(forced, Verbosity.EpochLine, terminal: true);
        At(0);
        r.EpochBegin(0, 1, 1);
        r.BatchEnd(0, Loss(1));
        At(250);
        r.EpochEnd(0, 1, Loss(1));
        Assert.Equal("Epoch 1/1 - 250ms - loss: 1.0000" + Environment.NewLine, forced.ToString());
    }
}
