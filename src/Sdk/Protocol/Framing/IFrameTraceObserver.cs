namespace Switchboard.Protocol.Framing;

/// <summary>
/// Sees every frame the connection's reader takes, data and control, once each, in order (see
/// <see cref="Connection.ProtocolConnection.FrameObserver"/>). Called on the reading path: keep it short and do not
/// call back into the connection.
/// </summary>
public interface IFrameTraceObserver
{
    /// <summary>Called once per frame, after its header passed the reader's checks and before its payload is unmasked.</summary>
    /// <param name="frame">The frame; valid only during the call.</param>
    void OnFrame(in FrameTrace frame);
}
