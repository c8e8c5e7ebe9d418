using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>
/// The .npy header's literal reader on its own: spacing NumPy may write, escapes, lists it skips,
/// headers that end early, and the wording of each value of the wrong kind.
/// </summary>
public class NpyHeaderLiteralTests
{
    private static NpyHeader Parse(string text) => NpyHeader.Parse(text, problem => new InvalidDataException(problem));

    private static string Refusal(string text) => Assert.Throws<InvalidDataException>(() => Parse(text)).Message;

    [Fact]
    public void Spaces_before_a_colon_or_a_comma_are_read_as_whitespace()
    {
        var header = Parse("{ 'descr' : '<f4' , 'fortran_order' : True , 'shape' : ( 3 , 4 ) , }");

        Assert.Equal("<f4", header.Descr);
        Assert.True(header.FortranOrder);
        Assert.Equal([3, 4], header.Shape);
    }

    [Fact]
    public void A_backslash_escapes_the_next_character_of_a_string()
        => Assert.Equal("<f'4", Parse(@"{'descr': '<f\'4', 'fortran_order': False, 'shape': (), }").Descr);

    [Fact]
    public void A_backslash_as_the_last_character_leaves_the_string_unterminated()
        => Assert.Equal("the .npy header has an unterminated string.", Refusal(@"{'descr': 'a\"));

    [Fact]
    public void A_list_of_strings_is_a_structured_dtype()
        => Assert.Equal("the array has a structured dtype (a list of fields); only plain numeric arrays are supported.",
            Refusal("{'descr': ['a', 'b'], 'fortran_order': False, 'shape': (1,), }"));

    public static TheoryData<string, string> EarlyEnds => new()
    {
        { "{'descr': '<f4'", "expected ',' or '}' at offset 15, found the end." },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (3", "expected ',' or ')' at offset 52, found the end." },
        { "{'descr': [('a', '<f4')", "expected ']' at offset 23, found the end." },
        { "{'descr': '<f4', fortran_order: False}", "expected a quoted string at offset 17, found 'f'." },
    };

    [Theory]
    [MemberData(nameof(EarlyEnds))]
    public void A_header_that_ends_early_or_lacks_quotes_says_what_was_expected_where(string text, string expected)
        => Assert.Equal($"the .npy header is not a dict literal NumPy writes: {expected}", Refusal(text));

    public static TheoryData<string, string> WrongKinds => new()
    {
        { "{'descr': True, 'fortran_order': False, 'shape': (1,), }", "'descr' is True; expected a dtype string such as '<f4'." },
        { "{'descr': (2, 3), 'fortran_order': False, 'shape': (1,), }", "'descr' is (2, 3); expected a dtype string such as '<f4'." },
        { "{'descr': '<f4', 'fortran_order': (1,), 'shape': (1,), }", "'fortran_order' is (1,); expected True or False." },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': False, }", "'shape' is False; expected a tuple of non-negative integers." },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': True, }", "'shape' is True; expected a tuple of non-negative integers." },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': [1], }", "'shape' is a list; expected a tuple of non-negative integers." },
    };

    [Theory]
    [MemberData(nameof(WrongKinds))]
    public void A_value_of_the_wrong_kind_is_described_as_python_writes_it(string text, string expected)
        => Assert.Equal(expected, Refusal(text));
}
