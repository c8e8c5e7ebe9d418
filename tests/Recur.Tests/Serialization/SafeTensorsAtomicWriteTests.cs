using Recur.Serialization;

namespace Recur.Tests.Serialization;

public class SafeTensorsAtomicWriteTests
{
    private static IEnumerable<KeyValuePair<string, Tensor>> ThrowsAfterOne()
    {
        yield return KeyValuePair.Create("first", Tensor.Full(2f, 3));
        throw new InvalidOperationException("tensor source failed");
    }

    [Fact]
    public void Failing_tensor_enumeration_leaves_the_old_file_and_no_temp_file()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        SafeTensorsWriter.Write(path, new[] { KeyValuePair.Create("old", Tensor.Full(1f, 2)) });
        byte[] before = File.ReadAllBytes(path);

        var ex = Assert.Throws<InvalidOperationException>(() => SafeTensorsWriter.Write(path, ThrowsAfterOne()));
        Assert.Equal("tensor source failed", ex.Message);

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.safetensors" }, dir.FileNames());
        Assert.Equal(new[] { "old" }, SafeTensorsFile.Read(path).Names);
    }

    [Fact]
    public void Failure_while_writing_the_temp_file_leaves_the_old_file_and_removes_the_temp_file()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        File.WriteAllText(path, "old content");
        string? tempSeen = null;

        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[1000]);
            tempSeen = ((FileStream)stream).Name;
            throw new IOException("disk full");
        }));

        Assert.NotNull(tempSeen);
        Assert.Equal(dir.Path, Path.GetDirectoryName(tempSeen)); // same directory, so the move is a rename
        Assert.False(File.Exists(tempSeen));
        Assert.Equal("old content", File.ReadAllText(path));
        Assert.Equal(new[] { "model.safetensors" }, dir.FileNames());
    }

    [Fact]
    public void Successful_write_replaces_the_old_file()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        File.WriteAllText(path, "old content");

        SafeTensorsWriter.Write(path, new[] { KeyValuePair.Create("new", Tensor.Full(4f, 2, 2)) });

        var file = SafeTensorsFile.Read(path);
        Assert.Equal(new[] { "new" }, file.Names);
        Assert.Equal(4f, file.Get("new")[1, 1]);
        Assert.Equal(new[] { "model.safetensors" }, dir.FileNames());
    }
}
