using System.Runtime.CompilerServices;
using Switchboard.Protocol;
using Switchboard.Protocol.Connection;

namespace Switchboard.Connections;

public sealed partial class WebSocketSession
{
    /// <summary>
    /// Sends one message as several frames (RFC 6455 section 5.4): the first with the message's opcode, the others
    /// continuation frames, FIN set on the last only. They leave together, so no other message comes between them;
    /// control frames may. For a peer that must handle fragments, or a tool that shows them; one frame is cheaper.
    /// Same delivery rules as <see cref="SendAsync(Opcode, System.Buffers.ReadOnlySequence{byte}, CancellationToken)"/>.
    /// </summary>
    /// <param name="opcode"><see cref="Opcode.Text"/> (UTF-8, which may split anywhere) or <see cref="Opcode.Binary"/>.</param>
    /// <param name="payload">The whole message.</param>
    /// <param name="fragmentSize">The payload bytes of each frame but the last, which carries the rest; at least 1.</param>
    /// <param name="cancellationToken">Cancels the wait for the write lock or for room in the send queue.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="opcode"/> is not Text or Binary, or <paramref name="fragmentSize"/> is less than 1.
    /// </exception>
    public ValueTask SendFragmentedAsync(Opcode opcode, ReadOnlyMemory<byte> payload, int fragmentSize, CancellationToken cancellationToken = default)
    {
        if (opcode is not (Opcode.Text or Opcode.Binary))
            throw new ArgumentOutOfRangeException(nameof(opcode), opcode, "only Text and Binary messages can be sent");
        ArgumentOutOfRangeException.ThrowIfLessThan(fragmentSize, 1);
        return WriteFragmentsAsync(opcode, payload, fragmentSize, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteFragmentsAsync(Opcode opcode, ReadOnlyMemory<byte> payload, int fragmentSize, CancellationToken cancellationToken)
    {
        var slowConsumer = false;
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_protocol.State != ProtocolState.Open || HasFlags(SessionFlags.Closed)) return;
            var output = _transport.Output;
            // The send queue's limit, as for a message of one frame (see WriteAsync).
            if (_transport.QueuedBytes > _transport.SendQueueLimit)
            {
                slowConsumer = _protocol.Role == WebSocketRole.Server;
                if (!slowConsumer)
                {
                    if (_unflushed) await FlushAsync(output, cancellationToken).ConfigureAwait(false);
                    await _transport.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            if (!slowConsumer)
            {
                var rest = payload;
                bool written;
                do
                {
                    var fragment = rest[..Math.Min(fragmentSize, rest.Length)];
                    rest = rest[fragment.Length..];
                    written = _protocol.Send(output, opcode, fragment.Span, endOfMessage: rest.IsEmpty);
                }
                while (written && !rest.IsEmpty);
                if (written) await FlushOrLeaveAsync(output, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            SessionLog.TransportError(_logger, Id, e);
            Abort();
        }
        finally
        {
            _writeLock.Release();
        }

        if (slowConsumer)
        {
            SessionLog.SlowConsumer(_logger, Id, _transport.SendQueueLimit);
            await CloseAsync(CloseCode.TryAgainLater, "send queue full: the peer does not read", SessionFlags.SlowConsumer).ConfigureAwait(false);
        }
    }
}
