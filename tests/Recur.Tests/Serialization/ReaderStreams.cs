namespace Recur.Tests.Serialization;

/// <summary>A stream that cannot seek nor tell its length, like a pipe or a network stream.</summary>
internal sealed class PipeStream(byte[] bytes) : MemoryStream(bytes)
{
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
}

/// <summary>A stream that seeks but reports a length of 0 although bytes follow, like a device.</summary>
internal sealed class DeviceStream(byte[] bytes) : MemoryStream(bytes)
{
    public override long Length => 0;
}
