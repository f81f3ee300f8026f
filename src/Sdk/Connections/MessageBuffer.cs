using System.Buffers;

namespace Switchboard.Connections;

/// <summary>
/// Collects the pieces of a message that arrived over several reads into one pooled array.
/// Only used when a message is not whole in the receive buffer; the common case needs no copy.
/// </summary>
internal sealed class MessageBuffer : IDisposable
{
    // Keep a buffer this large between messages; return bigger ones to the pool.
    private const int RetainedSize = 16 * 1024;

    private byte[] _array = [];
    private int _length;

    public bool IsEmpty => _length == 0;

    public ReadOnlySequence<byte> Written => new(_array, 0, _length);

    public void Append(in ReadOnlySequence<byte> piece)
    {
        var needed = _length + (int)piece.Length;
        if (needed > _array.Length) Grow(needed);
        piece.CopyTo(_array.AsSpan(_length));
        _length = needed;
    }

    public void Reset()
    {
        _length = 0;
        if (_array.Length > RetainedSize) Release();
    }

    public void Dispose() => Release();

    private void Grow(int needed)
    {
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Min(Array.MaxLength, _array.Length * 2)));
        _array.AsSpan(0, _length).CopyTo(next);
        Release();
        _array = next;
    }

    private void Release()
    {
        if (_array.Length > 0) ArrayPool<byte>.Shared.Return(_array);
        _array = [];
    }
}
