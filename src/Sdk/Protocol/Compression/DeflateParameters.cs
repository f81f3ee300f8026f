using System.IO.Compression;

namespace Switchboard.Protocol.Compression;

/// <summary>
/// What the opening handshake of one connection settled of permessage-deflate (RFC 7692 section 7): the
/// parameters of the server's response, and this end's own settings for sending.
/// </summary>
/// <remarks>An immutable value; safe to share between threads.</remarks>
public sealed record DeflateParameters
{
    /// <summary>The server compresses each message with an empty window (<c>server_no_context_takeover</c>).</summary>
    public bool ServerNoContextTakeover { get; init; }

    /// <summary>The client compresses each message with an empty window (<c>client_no_context_takeover</c>).</summary>
    public bool ClientNoContextTakeover { get; init; }

    /// <summary>The largest window the server compresses with, 8 to 15 (<c>server_max_window_bits</c>; 15 when absent).</summary>
    public int ServerMaxWindowBits { get; init; } = DeflateOptions.MaxWindowBits;

    /// <summary>The largest window the client compresses with, 8 to 15 (<c>client_max_window_bits</c>; 15 when absent).</summary>
    public int ClientMaxWindowBits { get; init; } = DeflateOptions.MaxWindowBits;

    /// <summary>Messages this end sends shorter than this go uncompressed (<see cref="DeflateOptions.MinimumSize"/>).</summary>
    public int MinimumSize { get; init; } = 256;

    /// <summary>How hard this end's compressor works (<see cref="DeflateOptions.Level"/>).</summary>
    public CompressionLevel Level { get; init; } = CompressionLevel.Fastest;

    /// <summary>The extension as the server's response names it, such as <c>permessage-deflate; server_no_context_takeover</c>.</summary>
    public string Extension { get; init; } = DeflateNegotiation.ExtensionName;

    /// <summary>Whether the given end starts every message it sends with an empty window.</summary>
    internal bool NoContextTakeover(WebSocketRole sender) =>
        sender == WebSocketRole.Server ? ServerNoContextTakeover : ClientNoContextTakeover;
}
