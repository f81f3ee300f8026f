namespace Switchboard.Protocol;

/// <summary>
/// Which end of a connection a codec speaks for. RFC 6455 section 5.1: a client masks every frame it
/// sends and a server masks none, so each side rejects frames that break its peer's rule.
/// </summary>
public enum WebSocketRole
{
    /// <summary>Reads masked frames and writes unmasked ones.</summary>
    Server,

    /// <summary>Reads unmasked frames and writes masked ones.</summary>
    Client,
}
