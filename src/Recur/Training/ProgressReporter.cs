using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Recur.Training;

/// <summary>
/// Prints Keras-style training progress:
/// <c>Epoch 3/10</c> then <c>120/469 ━━━━━━━━━━━━━━━━━━━━ 4s 31ms/step - loss: 0.4012 - accuracy: 0.8123</c>,
/// rewritten in place on a terminal, or a single line per epoch when output is redirected.
/// </summary>
internal sealed class ProgressReporter
{
    private const int BarWidth = 20;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);
    private readonly TextWriter _out;
    private readonly Verbosity _mode;
    private readonly Func<TimeSpan> _clock;
    private TimeSpan _epochStart, _lastDraw; // _lastDraw counts from the epoch's start
    private int _steps, _done;

    /// <param name="output">Where the progress goes.</param>
    /// <param name="verbosity">What to print; <see cref="Verbosity.Auto"/> picks the bar on a terminal.</param>
    /// <param name="outputIsTerminal">True when <paramref name="output"/> is an interactive console.</param>
    /// <param name="clock">The time since any fixed origin (default: a stopwatch started here); tests pass their own.</param>
    public ProgressReporter(TextWriter output, Verbosity verbosity, bool outputIsTerminal, Func<TimeSpan>? clock = null)
    {
        _out = output;
        _mode = verbosity == Verbosity.Auto
            ? (outputIsTerminal ? Verbosity.ProgressBar : Verbosity.EpochLine)
            : verbosity;
        if (clock is null)
        {
            var watch = Stopwatch.StartNew();
            clock = () => watch.Elapsed;
        }
        _clock = clock;
    }

    /// <summary>Time since the epoch began.</summary>
    private TimeSpan EpochElapsed => _clock() - _epochStart;

    public void EpochBegin(int epoch, int epochs, int steps)
    {
        _steps = steps;
        _epochStart = _clock();
        _lastDraw = TimeSpan.Zero;
        _done = 0;
        if (_mode == Verbosity.ProgressBar) _out.WriteLine($"Epoch {epoch + 1}/{epochs}");
    }

    public void BatchEnd(int step, IReadOnlyDictionary<string, double> logs)
    {
        _done = step + 1;
        if (_mode != Verbosity.ProgressBar) return;
        var now = EpochElapsed;
        // Redraw at most ~10 times a second, and always on the last step.
        if ((_steps == 0 || step + 1 < _steps) && now - _lastDraw < RedrawInterval) return;
        _lastDraw = now;
        _out.Write("\r" + Line(step + 1, logs) + "\u001b[K");
        _out.Flush();
    }

    public void EpochEnd(int epoch, int epochs, IReadOnlyDictionary<string, double> logs)
    {
        if (_mode == Verbosity.Silent) return;
        if (_mode == Verbosity.ProgressBar)
        {
            // The steps done: an epoch cut short (a budget, Ctrl-C) keeps its bar where it stopped, with the time taken.
            _out.Write("\r" + Line(_done, logs, final: true) + "\u001b[K\n");
        }
        else
        {
            _out.WriteLine($"Epoch {epoch + 1}/{epochs} - {Seconds(EpochElapsed.TotalSeconds)} - {Metrics(logs)}");
        }
        _out.Flush();
    }

    private string Line(int done, IReadOnlyDictionary<string, double> logs, bool final = false)
    {
        if (_steps == 0) return UnknownLength(done, logs);
        int filled = (int)((long)done * BarWidth / _steps);
        var sb = new StringBuilder();
        sb.Append(done).Append('/').Append(_steps).Append(' ');
        sb.Append('━', filled).Append(' ', BarWidth - filled);
        double elapsed = EpochElapsed.TotalSeconds;
        double perStep = done == 0 ? 0 : elapsed / done;
        // While running show the time left, at the end the time taken (as Keras does).
        double shown = done < _steps && !final ? perStep * (_steps - done) : elapsed;
        sb.Append(' ').Append(Seconds(shown)).Append(' ');
        sb.Append(Math.Round(perStep * 1000).ToString(CultureInfo.InvariantCulture)).Append("ms/step");
        if (logs.Count > 0) sb.Append(" - ").Append(Metrics(logs));
        return sb.ToString();
    }

    /// <summary>A source of unknown length: the steps done and the time taken, no bar.</summary>
    private string UnknownLength(int done, IReadOnlyDictionary<string, double> logs)
    {
        double elapsed = EpochElapsed.TotalSeconds;
        string line = $"{done} steps {Seconds(elapsed)}";
        return logs.Count > 0 ? line + " - " + Metrics(logs) : line;
    }

    private static string Seconds(double s) => s < 1 ? $"{Math.Round(s * 1000).ToString(CultureInfo.InvariantCulture)}ms" : $"{Math.Round(s).ToString(CultureInfo.InvariantCulture)}s";

    private static string Metrics(IReadOnlyDictionary<string, double> logs)
        => string.Join(" - ", logs.Select(kv => $"{kv.Key}: {Format(kv.Value)}"));

    private static string Format(double v) => Math.Abs(v) >= 1e-3 || v == 0
        ? v.ToString("0.0000", CultureInfo.InvariantCulture)
        : v.ToString("0.0000e+0", CultureInfo.InvariantCulture);
}
