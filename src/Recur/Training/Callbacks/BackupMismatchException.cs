namespace Recur.Training;

/// <summary>A backup that does not belong to the run resuming from it (another model, other callbacks or settings).</summary>
public sealed class BackupMismatchException(string message) : Exception(message);
