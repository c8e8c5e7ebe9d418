using System.Globalization;

namespace Recur;

/// <summary>
/// The bounds Recur puts on untrusted input: every reader checks a size it finds in a file against
/// these (and against the bytes actually present) before it allocates anything from it, so a small
/// hostile file can never make Recur allocate much more than the file itself.
/// </summary>
/// <remarks>
/// <para>Who enforces what:</para>
/// <list type="table">
/// <listheader><term>reader</term><description>bounds</description></listheader>
/// <item><term><c>SafeTensorsFile</c></term><description><see cref="MaxSafeTensorsHeaderBytes"/>,
/// <see cref="MaxInMemoryFileBytes"/>; each tensor's byte range must lie inside the data that is
/// present, and a stream is read only as far as its header says, so an endless stream ends the
/// read at the header.</description></item>
/// <item><term><c>NpzFile</c></term><description><see cref="MaxNpzEntries"/>,
/// <see cref="MaxInMemoryFileBytes"/> per entry and in total, and at most
/// <see cref="MaxNpzInflation"/> × the archive's size (or <see cref="NpzInflationFloorBytes"/>,
/// whichever is larger) of decompressed bytes; every entry's CRC-32 is checked.</description></item>
/// <item><term><c>Model.Load</c></term><description><see cref="MaxArchitectureJsonBytes"/>; the
/// tensors the layers allocate while the architecture is built may total at most
/// <see cref="ModelBuildBytesPerWeightByte"/> × the weight bytes the file holds plus
/// <see cref="ModelBuildSlackBytes"/>: an architecture claiming more parameters than the file has
/// bytes fails before the memory is taken, whatever the layer types (layers allocate their
/// parameters with <see cref="Tensor.Zeros"/>).</description></item>
/// <item><term>the <c>recur</c> command line</term><description><see cref="MaxTextFileBytes"/>,
/// <see cref="MaxSequenceLength"/>, <see cref="MaxBatchSteps"/>, <see cref="MaxClasses"/>, <see cref="MaxCategories"/>,
/// <see cref="MaxAbsoluteValue"/>, <see cref="MaxQuotedInMessage"/>.</description></item>
/// </list>
/// <para>Size arithmetic on shapes goes through <see cref="Product"/> (or <c>checked</c>), so a
/// product never wraps around to a small or negative number.</para>
/// </remarks>
public static class Limits
{
    /// <summary>The largest file or archive entry read into memory: the longest .NET byte array (just under 2 GiB).</summary>
    public const long MaxInMemoryFileBytes = 0x7FFFFFC7;

    /// <summary>The largest safetensors JSON header (100 MB, the limit of the reference implementation).</summary>
    public const long MaxSafeTensorsHeaderBytes = 100_000_000;

    /// <summary>The largest architecture (or other JSON metadata) of a <c>.recur</c> file: 1 MiB (real ones are a few KB).</summary>
    public const int MaxArchitectureJsonBytes = 1 << 20;

    /// <summary>The most layers a <c>.recur</c> architecture may list.</summary>
    public const int MaxModelLayers = 10_000;

    /// <summary>
    /// While a <c>.recur</c> architecture is built, its tensors may take this many bytes per byte
    /// of weights in the file: a parameter and its gradient, with room to spare.
    /// </summary>
    public const int ModelBuildBytesPerWeightByte = 4;

    /// <summary>Bytes the build of an architecture may allocate beyond <see cref="ModelBuildBytesPerWeightByte"/> × the weights (16 MiB).</summary>
    public const long ModelBuildSlackBytes = 16L << 20;

    /// <summary>The most entries an <c>.npz</c> archive may have.</summary>
    public const int MaxNpzEntries = 100_000;

    /// <summary>
    /// Decompressed bytes per archive byte an <c>.npz</c> may expand to, over all its entries.
    /// Weights deflate to about 90 % of their size; only runs of zeros shrink by more than 100×.
    /// </summary>
    public const int MaxNpzInflation = 100;

    /// <summary>Decompressed bytes any <c>.npz</c> may reach whatever its size (64 MiB), so small archives of zeros still load.</summary>
    public const long NpzInflationFloorBytes = 64L << 20;

    /// <summary>The largest text, CSV, TSV or CoNLL-U file the command line reads (512 MiB; it is held as UTF-16 text).</summary>
    public const long MaxTextFileBytes = 512L << 20;

    /// <summary>The longest sequence the command line feeds a model: tokens of a text, words of a sentence.</summary>
    public const int MaxSequenceLength = 5_000;

    /// <summary>
    /// The most padded steps (rows × longest sequence) in one batch the command line builds from
    /// texts or sentences: 64 texts of 512 tokens. A batch of long sequences holds fewer rows, so one
    /// long text cannot pad every row of its batch to its length.
    /// </summary>
    public const int MaxBatchSteps = 32_768;

    /// <summary>The most classes (distinct labels) <c>recur classify</c> trains on.</summary>
    public const int MaxClasses = 1_000;

    /// <summary>The most distinct values a categorical (one-hot) feature of <c>recur forecast</c> may have.</summary>
    public const int MaxCategories = 200;

    /// <summary>
    /// The largest magnitude of a number in a data file (1e100): squares and sums of millions of
    /// them stay finite in double precision, and so do logarithms and their inverses.
    /// </summary>
    public const double MaxAbsoluteValue = 1e100;

    /// <summary>The most characters of an offending value an error message quotes (the rest is elided).</summary>
    public const int MaxQuotedInMessage = 80;

    /// <summary>
    /// The product of <paramref name="factors"/> as an <see cref="int"/> (for example G·H rows of a
    /// weight), or an <see cref="ArgumentException"/> naming <paramref name="what"/> when it does
    /// not fit: sizes computed from a file or a caller never wrap around.
    /// </summary>
    /// <param name="what">What the product is, for the message (for example <c>"layer 'lstm': gates × units"</c>).</param>
    /// <param name="factors">Non-negative factors.</param>
    /// <exception cref="ArgumentException">A factor is negative or the product exceeds <see cref="int.MaxValue"/>.</exception>
    public static int Product(string what, params ReadOnlySpan<int> factors)
    {
        long product = 1;
        foreach (int f in factors)
        {
            if (f < 0) throw new ArgumentException($"{what}: the factor {f} is negative.", nameof(factors));
            product *= f;
            if (product > int.MaxValue)
                throw new ArgumentException($"{what} = {string.Join(" × ", factors.ToArray())} is more than {int.MaxValue}.", nameof(factors));
        }
        return (int)product;
    }

    /// <summary>
    /// <paramref name="value"/> for a one-line error message: line breaks and other control
    /// characters escaped (<c>\n</c>, <c>\u0001</c>), and when longer than
    /// <see cref="MaxQuotedInMessage"/> characters, its start, an ellipsis and the total length.
    /// </summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int keep = value.Length <= MaxQuotedInMessage ? value.Length
            : char.IsHighSurrogate(value[MaxQuotedInMessage - 1]) ? MaxQuotedInMessage - 1 : MaxQuotedInMessage;
        var sb = new System.Text.StringBuilder(keep + 32);
        foreach (char c in value.AsSpan(0, keep))
        {
            if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\t') sb.Append("\\t");
            else if (char.IsControl(c)) sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else sb.Append(c);
        }
        if (keep < value.Length) sb.Append(CultureInfo.InvariantCulture, $"… ({value.Length:N0} characters)");
        return sb.ToString();
    }
}
