using System.Buffers;
using Microsoft.Extensions.Logging;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Protocol.Connection;

namespace Switchboard.Client;

/// <summary>A <see cref="ClientConnection"/> over Switchboard's own WebSocket stack (<see cref="WebSocketConnector"/>).</summary>
internal sealed class WebSocketClientConnection : ClientConnection
{
    private readonly WebSocketSession _session;

    private WebSocketClientConnection(WebSocketSession session) => _session = session;

    public override SwitchboardTransport Transport => SwitchboardTransport.WebSocket;

    /// <summary>Opens the connection; throws as <see cref="WebSocketConnector.ConnectAsync"/> does.</summary>
    public static async Task<ClientConnection> ConnectAsync(Uri uri, WebSocketClientOptions options, ILogger logger, CancellationToken cancellationToken)
        => new WebSocketClientConnection(await WebSocketConnector.ConnectAsync(uri, options, logger, cancellationToken).ConfigureAwait(false));

    public override async ValueTask<bool> TrySendAsync(EncodedMessage message, CancellationToken cancellationToken)
    {
        if (_session.State != ProtocolState.Open) return false;
        await _session.SendAsync(message, cancellationToken).ConfigureAwait(false);
        // The frame is in the transport's send queue now: the buffer is free.
        message.Dispose();
        return true;
    }

    public override Task<CloseCode?> RunAsync(Func<ReadOnlySequence<byte>, ValueTask> onEnvelope, Action<string> onMalformed)
        => _session.RunAsync(message =>
        {
            if (message.Opcode == Opcode.Text) return onEnvelope(message.Payload);
            onMalformed("binary message: envelopes are JSON text");
            return ValueTask.CompletedTask;
        });

    public override string? CloseReason => _session.PeerCloseReason;

    public override ValueTask CloseAsync() => _session.CloseAsync(CloseCode.NormalClosure);
}
