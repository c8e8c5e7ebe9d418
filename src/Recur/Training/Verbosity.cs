namespace Recur.Training;

/// <summary>How much <c>Fit</c> prints.</summary>
public enum Verbosity
{
    /// <summary>A progress bar on a terminal; one line per epoch when output is redirected.</summary>
    Auto,
    /// <summary>Nothing.</summary>
    Silent,
    /// <summary>The Keras-style progress bar, updated in place.</summary>
    ProgressBar,
    /// <summary>One line per epoch.</summary>
    EpochLine,
}
