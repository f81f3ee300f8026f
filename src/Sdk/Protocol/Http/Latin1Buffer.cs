using System.Buffers;
using System.Text;

namespace Switchboard.Protocol.Http;

/// <summary>
/// Text turned back into the bytes it was read from: header values are decoded as Latin-1, one char per wire
/// byte, so the byte-level HTTP readers apply to them unchanged. Uses the caller's scratch space when it fits,
/// a pooled array otherwise; dispose to return it.
/// </summary>
internal ref struct Latin1Buffer
{
    private byte[]? _rented;

    public Latin1Buffer(ReadOnlySpan<char> text, Span<byte> scratch)
    {
        _rented = null;
        Span<byte> destination = text.Length <= scratch.Length ? scratch : (_rented = ArrayPool<byte>.Shared.Rent(text.Length));
        Bytes = destination[..Encoding.Latin1.GetBytes(text, destination)];
    }

    public ReadOnlySpan<byte> Bytes { get; }

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
            _rented = null;
        }
    }
}
