using Switchboard.Benchmarks.Load.Wire;

namespace Switchboard.Benchmarks.Load.Scenarios;

/// <summary>
/// The message a room user sends, stamped with each send's <see cref="Marker"/>: plain frames patched in place (no copy,
/// no allocation), or on a connection that negotiated permessage-deflate, the envelope stamped and then compressed on
/// its own for each send, as a browser does.
/// </summary>
internal sealed class RoomMessage
{
    private readonly FrameBlock? _plain;
    private readonly byte[] _payload;
    private readonly int _markerOffset;

    /// <param name="payload">The envelope, with room for the stamp at <paramref name="markerOffset"/>.</param>
    /// <param name="markerOffset">Where the stamp goes in <paramref name="payload"/>.</param>
    /// <param name="count">The most messages one send carries.</param>
    /// <param name="compress">Whether to compress each message (the connection negotiated permessage-deflate).</param>
    public RoomMessage(byte[] payload, int markerOffset, int count, bool compress)
    {
        _payload = compress ? payload.ToArray() : payload;
        _plain = compress ? null : new FrameBlock(ServerFrame.Text, payload, count);
        _markerOffset = markerOffset;
        Count = count;
    }

    public int Count { get; }

    /// <summary>The first <paramref name="count"/> messages, each carrying <paramref name="stamp"/>, ready to send as one write.</summary>
    public ReadOnlyMemory<byte> Stamp(int count, ReadOnlySpan<byte> stamp)
    {
        if (_plain is not null)
        {
            for (var i = 0; i < count; i++) _plain.Patch(i, _markerOffset, stamp);
            return _plain.Take(count);
        }
        stamp.CopyTo(_payload.AsSpan(_markerOffset));
        var frame = ClientFrame.Compressed(_payload);
        if (count == 1) return frame;
        // The same stamp, so the same frame: compressed once, its copies share a mask key.
        var frames = new byte[frame.Length * count];
        for (var i = 0; i < count; i++) frame.CopyTo(frames, i * frame.Length);
        return frames;
    }
}
