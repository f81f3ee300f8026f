using System.Security.Cryptography;
using System.Text;
using Switchboard.Protocol.Handshake;
using Switchboard.Protocol.Http;

namespace Switchboard.Server.Handshake;

/// <summary>
/// The steps by which a server derives Sec-WebSocket-Accept from the client's Sec-WebSocket-Key (RFC 6455 section
/// 4.2.2, item 5.4), each shown: the key, the key joined with the protocol GUID, the SHA-1 digest of that in hex, and
/// the base64 of the digest, which is the value the 101 response carries.
/// </summary>
public sealed class AcceptComputation
{
    private AcceptComputation(string key, string sha1Hex, string accept)
    {
        Key = key;
        Sha1Hex = sha1Hex;
        Accept = accept;
    }

    /// <summary>The client's Sec-WebSocket-Key, as sent.</summary>
    public string Key { get; }

    /// <summary>The key followed by <see cref="KeyGuid"/>.</summary>
    public string KeyWithGuid => Key + KeyGuid;

    /// <summary>The SHA-1 digest of <see cref="KeyWithGuid"/>'s bytes, as 40 uppercase hex digits.</summary>
    public string Sha1Hex { get; }

    /// <summary>The base64 of the digest: the Sec-WebSocket-Accept value the server sends.</summary>
    public string Accept { get; }

    /// <summary>The GUID RFC 6455 section 1.3 appends to the key.</summary>
    public const string KeyGuid = AcceptKey.KeyGuid;

    /// <summary>Derives every step for a key; <see cref="Accept"/> is the value the server writes for it.</summary>
    /// <param name="key">The client's Sec-WebSocket-Key, as sent.</param>
    /// <returns>The steps; <c>dGhlIHNhbXBsZSBub25jZQ==</c> yields the accept <c>s3pPLMBiTxaQ9kYGzzhZRbK+xOo=</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public static AcceptComputation Of(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        // The code that writes the 101 computes both, once, so what is shown is what was sent.
        Span<byte> digest = stackalloc byte[SHA1.HashSizeInBytes];
        Span<byte> accept = stackalloc byte[AcceptKey.Length];
        using var keyBytes = new Latin1Buffer(key, stackalloc byte[256]);
        AcceptKey.Write(keyBytes.Bytes, accept, digest);
        return new AcceptComputation(key, Convert.ToHexString(digest), Encoding.ASCII.GetString(accept));
    }
}
