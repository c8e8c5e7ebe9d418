namespace Recur.Cli.Common;

/// <summary>
/// Input the command cannot use — a missing or malformed file, a column that does not exist, an
/// option out of range. The command ends with the message as one line on stderr and exit code 2;
/// the message says what and where (file, line, column).
/// </summary>
internal sealed class InputException(string message) : Exception(message);
