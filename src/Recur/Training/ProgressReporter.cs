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
    private readonly TextWriter _out;
    private readonly Verbosity _mode;
    private readonly Stopwatch _epochClock = new();
    private long _lastDrawTicks;
    private int _steps, _done;

    public ProgressReporter(TextWriter output, Verbosity verbosity, bool outputIsTerminal)
    {
        _out = output;
        _mode = verbosity == Verbosity.Auto
            ? (outputIsTerminal ? Verbosity.ProgressBar : Verbosity.EpochLine)
            : verbosity;
    }

    public void EpochBegin(int epoch, int epochs, int steps)
    {
        _steps = steps;
        _epochClock.Restart();
        _lastDrawTicks = 0;
        _done = 0;
        if (_mode == Verbosity.ProgressBar) _out.WriteLine($"Epoch {epoch + 1}/{epochs}");
    }

    public void BatchEnd(int step, IReadOnlyDictionary<string, double> logs)
    {
        _done = step + 1;
        if (_mode != Verbosity.ProgressBar) return;
        long now = _epochClock.ElapsedTicks;
        // Redraw at most ~10 times a second, and always on the last step.
        if ((_steps == 0 || step + 1 < _steps) && now - _lastDrawTicks < Stopwatch.Frequency / 10) return;
        _lastDrawTicks = now;
        _out.Write("\r" + Line(step + 1, logs) + "\u001b[K");
        _out.Flush();
    }

    public void EpochEnd(int epoch, int epochs, IReadOnlyDictionary<string, double> logs)
    {
        if (_mode == Verbosity.Silent) return;
        if (_mode == Verbosity.ProgressBar)
        {
            _out.Write("\r" + Line(_steps == 0 ? _done : _steps, logs) + "\u001b[K\n");
        }
        else
        {
            _out.WriteLine($"Epoch {epoch + 1}/{epochs} - {Seconds(_epochClock.Elapsed.TotalSeconds)} - {Metrics(logs)}");
        }
        _out.Flush();
    }

    private string Line(int done, IReadOnlyDictionary<string, double> logs)
    {
        if (_steps == 0) return UnknownLength(done, logs);
        int filled = _steps == 0 ? BarWidth : (int)((long)done * BarWidth / _steps);
        var sb = new StringBuilder();
        sb.Append(done).Append('/').Append(_steps).Append(' ');
        sb.Append('━', filled).Append(' ', BarWidth - filled);
        double elapsed = _epochClock.Elapsed.TotalSeconds;
        double perStep = done == 0 ? 0 : elapsed / done;
        // While running show the time left, at the end the time taken (as Keras does).
        double shown = done < _steps ? perStep * (_steps - done) : elapsed;
        sb.Append(' ').Append(Seconds(shown)).Append(' ');
        sb.Append(Math.Round(perStep * 1000).ToString(CultureInfo.InvariantCulture)).Append("ms/step");
        if (logs.Count > 0) sb.Append(" - ").Append(Metrics(logs));
        return sb.ToString();
    }

    /// <summary>A source of unknown length: the steps done and the time taken, no bar.</summary>
    private string UnknownLength(int done, IReadOnlyDictionary<string, double> logs)
    {
        double elapsed = _epochClock.Elapsed.TotalSeconds;
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
