using System.Security.Cryptography;
using System.Text;
using Switchboard.Protocol.Handshake;

namespace Switchboard.Server.Handshake;

/// <summary>
/// The steps by which a server derives Sec-WebSocket-Accept from the client's Sec-WebSocket-Key (RFC 6455 section
/// 4.2.2, item 5.4), each shown: the key, the key joined with the protocol GUID, the SHA-1 digest of that in hex, and
/// the base64 of the digest, which is the value the 101 response carries.
/// </summary>
public sealed class AcceptComputation
{
    private AcceptComputation(string key, string keyWithGuid, string sha1Hex, string accept)
    {
        Key = key;
        KeyWithGuid = keyWithGuid;
        Sha1Hex = sha1Hex;
        Accept = accept;
    }

    /// <summary>The client's Sec-WebSocket-Key, as sent.</summary>
    public string Key { get; }

    /// <summary>The key followed by <see cref="KeyGuid"/>.</summary>
    public string KeyWithGuid { get; }

    /// <summary>The SHA-1 digest of <see cref="KeyWithGuid"/>'s bytes, as 40 uppercase hex digits.</summary>
    public string Sha1Hex { get; }

    /// <summary>The base64 of the digest: the Sec-WebSocket-Accept value the server sends.</summary>
    public string Accept { get; }

    /// <summary>The GUID RFC 6455 section 1.3 appends to the key.</summary>
    public const string KeyGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>Derives every step for a key; <see cref="Accept"/> is the value the server writes for it.</summary>
    /// <param name="key">The client's Sec-WebSocket-Key, as sent.</param>
    /// <returns>The steps; <c>dGhlIHNhbXBsZSBub25jZQ==</c> yields the accept <c>s3pPLMBiTxaQ9kYGzzhZRbK+xOo=</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public static AcceptComputation Of(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string joined = key + KeyGuid;
#pragma warning disable CA5350 // SHA-1 is what the RFC prescribes; shown here, not used as a security boundary.
        byte[] digest = SHA1.HashData(Encoding.Latin1.GetBytes(joined));
#pragma warning restore CA5350
        // The accept comes from the same code that writes the 101, so what is shown is what was sent.
        return new AcceptComputation(key, joined, Convert.ToHexString(digest), AcceptKey.Compute(key));
    }
}
