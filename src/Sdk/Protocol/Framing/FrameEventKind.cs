namespace Switchboard.Protocol.Framing;

/// <summary>What a <see cref="FrameEvent"/> reports.</summary>
public enum FrameEventKind : byte
{
    /// <summary>A piece of a text or binary message's payload.</summary>
    Data,

    /// <summary>A whole, validated Close, Ping or Pong frame.</summary>
    Control,

    /// <summary>The peer broke the protocol; the connection must be failed with <see cref="FrameEvent.Error"/>.</summary>
    Error,
}
