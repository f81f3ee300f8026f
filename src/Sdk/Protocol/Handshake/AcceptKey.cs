using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Protocol.Http;

namespace Switchboard.Protocol.Handshake;

/// <summary>
/// The Sec-WebSocket-Accept value both sides derive from the client's key (RFC 6455 section 4.2.2, item 5.4): the
/// server writes it into its 101, the client checks it.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class AcceptKey
{
    /// <summary>Length of a Sec-WebSocket-Accept value: base64 of a 20-byte SHA-1 digest.</summary>
    public const int Length = 28;

    /// <summary>The GUID RFC 6455 section 1.3 appends to the key before hashing.</summary>
    public const string KeyGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    // The GUID's ASCII bytes, the form it is hashed in.
    private static readonly byte[] s_keyGuidBytes = Encoding.ASCII.GetBytes(KeyGuid);

    /// <summary>
    /// The Sec-WebSocket-Accept value for a key: base64 of SHA-1 over the key followed by the RFC 6455
    /// GUID (section 4.2.2, item 5.4). <c>dGhlIHNhbXBsZSBub25jZQ==</c> yields <c>s3pPLMBiTxaQ9kYGzzhZRbK+xOo=</c>.
    /// </summary>
    /// <param name="key">The client's Sec-WebSocket-Key, as sent.</param>
    /// <returns>The 28-character accept value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public static string Compute(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> accept = stackalloc byte[Length];
        Write(key, accept);
        return Encoding.ASCII.GetString(accept);
    }

    /// <summary>Writes the accept value for <paramref name="key"/> as ASCII into <paramref name="destination"/>.</summary>
    public static void Write(ReadOnlySpan<char> key, Span<byte> destination)
    {
        // Latin-1 turns each char back into the byte it was read from on the wire.
        using var keyBytes = new Latin1Buffer(key, stackalloc byte[256]);
        Write(keyBytes.Bytes, destination);
    }

    /// <summary>Writes the accept value for the key's wire bytes as ASCII into <paramref name="destination"/>.</summary>
    public static void Write(ReadOnlySpan<byte> key, Span<byte> destination)
        => Write(key, destination, stackalloc byte[SHA1.HashSizeInBytes]);

    /// <summary>
    /// Writes the accept value for the key's wire bytes as ASCII into <paramref name="destination"/>, and the SHA-1
    /// digest it is the base64 of into <paramref name="digest"/>, for a caller that shows the steps.
    /// </summary>
    public static void Write(ReadOnlySpan<byte> key, Span<byte> destination, Span<byte> digest)
    {
        digest = digest[..SHA1.HashSizeInBytes];
        ReadOnlySpan<byte> guid = s_keyGuidBytes;
        int length = key.Length + guid.Length;
        byte[]? rented = null;
        Span<byte> buffer = length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            key.CopyTo(buffer);
            int written = key.Length;
            guid.CopyTo(buffer[written..]);

            // SHA-1 is what the RFC prescribes; the digest proves the server read the handshake, it is not a
            // security boundary.
#pragma warning disable CA5350
            SHA1.HashData(buffer[..length], digest);
#pragma warning restore CA5350
            Base64.EncodeToUtf8(digest, destination, out _, out _);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
