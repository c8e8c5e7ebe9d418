namespace Recur.Decoding;

/// <summary>Argument checks shared by the decoders.</summary>
internal static class DecodingChecks
{
    public static void Tokens(int vocabulary, int startToken, int endToken)
    {
        if ((uint)startToken >= (uint)vocabulary)
            throw new ArgumentOutOfRangeException(nameof(startToken), startToken, $"startToken must be a token id in [0, {vocabulary}).");
        if ((uint)endToken >= (uint)vocabulary)
            throw new ArgumentOutOfRangeException(nameof(endToken), endToken, $"endToken must be a token id in [0, {vocabulary}).");
    }

    public static void MaxLength(int maxLength)
    {
        if (maxLength < 1)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "maxLength must be at least 1.");
    }
}
