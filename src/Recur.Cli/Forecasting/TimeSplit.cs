using Recur.Cli.Common;

namespace Recur.Cli.Forecasting;

/// <summary>
/// The time-ordered split of one series of <see cref="Length"/> rows into the fit span
/// [0, <see cref="ValidationStart"/>), the validation slice [<see cref="ValidationStart"/>,
/// <see cref="TestStart"/>) and the test span [<see cref="TestStart"/>, <see cref="Length"/>).
/// </summary>
/// <remarks>
/// A forecast origin t reads rows t − W + 1 … t and predicts rows t + 1 … t + h. Fitting uses only
/// origins whose h targets lie in the fit span; validation (early stopping, model selection) only
/// origins whose targets lie in the validation slice, so no test value is ever a target (or an
/// input) before the test forecasts are made. Test origins are every t whose targets reach the
/// test span; step j is scored on the targets t + j inside it (walk-forward, inputs observed).
/// </remarks>
internal sealed record TimeSplit(int Length, int ValidationStart, int TestStart, int Window, int Horizon, int Warmup = 0)
{
    /// <summary>The first origin with a full window and a base forecast: max(W − 1, warm-up).</summary>
    public int FirstOrigin => Math.Max(Window - 1, Warmup);

    /// <summary>The fewest fit windows a series must give.</summary>
    public const int MinFitWindows = 4;

    /// <summary>
    /// Checks that <paramref name="length"/> rows hold a window, the fit windows, a validation
    /// slice of at least <paramref name="horizon"/> rows and the test span; names <paramref name="what"/> otherwise.
    /// </summary>
    public static TimeSplit Create(int length, int testSize, int validationSize, int window, int horizon, string what, int warmup = 0)
    {
        if (testSize < 1 || testSize >= length)
            throw new InputException($"{what}: a test span of {testSize} rows does not fit a series of {length} rows.");
        int testStart = length - testSize, validationStart = testStart - validationSize;
        int first = Math.Max(window - 1, warmup), fitWindows = validationStart - first - horizon;
        if (validationSize < horizon || fitWindows < MinFitWindows)
            throw new InputException($"{what}: {length} rows are too short for {(warmup > window - 1 ? $"a warm-up of {warmup} rows" : $"window {window}")} + horizon {horizon} + {MinFitWindows - 1} more fit rows + " +
                                     $"validation {Math.Max(validationSize, horizon)} + test {testSize} = {first + 1 + horizon + MinFitWindows - 1 + Math.Max(validationSize, horizon) + testSize} rows; " +
                                     "use a shorter --window or a smaller test span.");
        return new TimeSplit(length, validationStart, testStart, window, horizon, warmup);
    }

    /// <summary>The default validation slice: the last 20 % of the rows before the test span, at least the horizon.</summary>
    public static int DefaultValidationSize(int rowsBeforeTest, int horizon)
        => Math.Max(horizon, (int)Math.Round(0.2 * rowsBeforeTest));

    /// <summary>Origins whose h targets are all in the fit span: t = FirstOrigin … ValidationStart − 1 − h.</summary>
    public IEnumerable<int> FitOrigins() => Range(FirstOrigin, ValidationStart - 1 - Horizon);

    /// <summary>Origins whose h targets are all in the validation slice.</summary>
    public IEnumerable<int> ValidationOrigins() => Range(Math.Max(FirstOrigin, ValidationStart - 1), TestStart - 1 - Horizon);

    /// <summary>Origins with at least one target in the test span (their inputs are observed rows).</summary>
    public IEnumerable<int> TestOrigins() => Range(Math.Max(FirstOrigin, TestStart - Horizon), Length - 2);

    /// <summary>True when origin t's step-j target is a test row.</summary>
    public bool IsTestTarget(int origin, int step) => origin + step >= TestStart && origin + step < Length;

    private static IEnumerable<int> Range(int first, int last) => first > last ? [] : Enumerable.Range(first, last - first + 1);
}
