using System.Text;

namespace Switchboard.Server.Tests;

/// <summary>
/// Bytes a raw client sends: an upgrade request (whole or cut short) and masked frames. The mask key is all zero, so a
/// payload goes out as written.
/// </summary>
internal static class RawFrames
{
    /// <summary>The upgrade request for <paramref name="path"/>, whole or cut after <paramref name="bytes"/> bytes.</summary>
    public static byte[] UpgradeRequest(string path, int bytes = int.MaxValue)
    {
        var head = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        return head[..Math.Min(bytes, head.Length)];
    }

    /// <summary>A masked frame header for <paramref name="length"/> payload bytes (under 64 KiB), zero mask key.</summary>
    public static byte[] Header(byte first, int length) => length < 126
        ? [first, (byte)(0x80 | length), 0, 0, 0, 0]
        : [first, 0x80 | 126, (byte)(length >> 8), (byte)length, 0, 0, 0, 0];

    /// <summary>A whole masked text frame (FIN set) holding <paramref name="text"/>.</summary>
    public static byte[] Text(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        return [.. Header(0x81, payload.Length), .. payload];
    }

    /// <summary>A masked close frame with code 1000.</summary>
    public static byte[] Close() => [0x88, 0x82, 0, 0, 0, 0, 0x03, 0xE8];
}
