using System.Buffers;
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
        return WriteAsync(opcode, new ReadOnlySequence<byte>(payload), preparedFrame: false, cancellationToken, fragmentSize: fragmentSize);
    }

    // The frames of one message, under the write lock WriteAsync holds; false once the protocol refuses one.
    private bool SendFragments(IBufferWriter<byte> output, Opcode opcode, ReadOnlySequence<byte> payload, int fragmentSize)
    {
        var rest = payload;
        bool written;
        do
        {
            var fragment = rest.Slice(0, Math.Min(fragmentSize, rest.Length));
            rest = rest.Slice(fragment.Length);
            written = _protocol.Send(output, opcode, fragment, endOfMessage: rest.IsEmpty);
        }
        while (written && !rest.IsEmpty);
        return written;
    }
}
