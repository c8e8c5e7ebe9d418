using Recur.Layers;
using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>
/// The small helpers behind the file formats: the finite check over vector-wide spans, the
/// atomic write's arguments, and the writer's header text and argument checks.
/// </summary>
public class SmallHelpersTests
{
    [Fact]
    public void A_non_finite_value_inside_the_first_vector_of_a_long_tensor_is_found()
    {
        var values = new float[64];
        values[5] = float.NaN;
        values[40] = float.NegativeInfinity;

        Assert.Equal("holds 2 non-finite values; the first is NaN, element 5", FiniteCheck.Problem(new Tensor(values, 64)));
        Assert.Equal(5, FiniteCheck.FirstNonFinite(values));
        Assert.Null(FiniteCheck.Problem(Tensor.Zeros(64)));
        Assert.Throws<ArgumentNullException>("tensor", () => FiniteCheck.Problem(null!));
    }

    [Fact]
    public void An_atomic_write_without_a_writer_is_refused_and_leaves_no_file()
    {
        using var dir = new TempDirectory();

        Assert.Throws<ArgumentNullException>("write", () => AtomicFile.Write(dir.File("x.bin"), null!));

        Assert.Empty(dir.FileNames());
    }

    [Fact]
    public void The_header_is_compact_json_with_non_ascii_text_as_utf8_and_no_empty_metadata()
    {
        static string Header(IReadOnlyDictionary<string, string>? metadata)
        {
            byte[] bytes = SafeTensorsWriter.ToBytes([KeyValuePair.Create("poids_é", Tensor.Zeros(2))], metadata);
            int length = (int)BitConverter.ToUInt64(bytes, 0);
            return System.Text.Encoding.UTF8.GetString(bytes, 8, length).TrimEnd(' ');
        }

        Assert.Equal("{\"poids_é\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", Header(new Dictionary<string, string>()));
        Assert.Equal("{\"__metadata__\":{\"note\":\"<b>ça</b>\"},\"poids_é\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
            Header(new Dictionary<string, string> { ["note"] = "<b>ça</b>" }));
    }

    [Fact]
    public void The_writer_refuses_a_missing_path_list_name_tensor_or_metadata_value_by_argument_name()
    {
        var t = Tensor.Zeros(1);
        Assert.Throws<ArgumentNullException>("path", () => SafeTensorsWriter.Write(null!, [KeyValuePair.Create("w", t)]));
        Assert.Throws<ArgumentNullException>("tensors", () => SafeTensorsWriter.ToBytes(null!));
        Assert.Equal("A tensor name is null or empty; every tensor needs a name. (Parameter 'tensors')",
            Assert.Throws<ArgumentException>("tensors", () => SafeTensorsWriter.ToBytes([KeyValuePair.Create("", t)])).Message);
        Assert.Equal("The tensor 'w' is null. (Parameter 'tensors')",
            Assert.Throws<ArgumentException>("tensors", () => SafeTensorsWriter.ToBytes([KeyValuePair.Create("w", (Tensor)null!)])).Message);
        Assert.Equal("Metadata value 'k' is null; the format allows only strings. (Parameter 'metadata')",
            Assert.Throws<ArgumentException>("metadata", () => SafeTensorsWriter.ToBytes([KeyValuePair.Create("w", t)], new Dictionary<string, string> { ["k"] = null! })).Message);
    }

    [Fact]
    public void A_copied_keras_array_needs_a_parameter()
        => Assert.Throws<ArgumentNullException>("parameter", () => KerasArray.Copy("Dense bias (U)", null!));
}
