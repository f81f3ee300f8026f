using System.Buffers;
using Switchboard.Protocol;
using Switchboard.Protocol.Compression;
using Switchboard.Protocol.Connection;
using Switchboard.Protocol.Framing;

namespace Switchboard.Tests.Compression;

/// <summary>
/// A client and a server <see cref="ProtocolConnection"/> that agreed on permessage-deflate, wired back to back with no
/// socket: what one writes, the other reads.
/// </summary>
internal sealed class DeflatePair
{
    public DeflatePair(DeflateParameters? parameters = null, FrameReaderOptions? frames = null)
    {
        Parameters = parameters ?? new DeflateParameters { ServerNoContextTakeover = true, ClientNoContextTakeover = true };
        var options = new ProtocolConnectionOptions { Frames = frames ?? FrameReaderOptions.Default };
        Client = new ProtocolConnection(WebSocketRole.Client, options, Parameters);
        Server = new ProtocolConnection(WebSocketRole.Server, options, Parameters);
    }

    public DeflateParameters Parameters { get; }

    public ProtocolConnection Client { get; }

    public ProtocolConnection Server { get; }

    /// <summary>The events <paramref name="reader"/> reads from <paramref name="wire"/>, payloads copied.</summary>
    public static List<(ProtocolEventKind Kind, Opcode Opcode, byte[] Payload, FrameError Error)> Read(ProtocolConnection reader, byte[] wire,
        ArrayBufferWriter<byte>? answers = null)
    {
        var events = new List<(ProtocolEventKind, Opcode, byte[], FrameError)>();
        answers ??= new ArrayBufferWriter<byte>();
        var input = new ReadOnlySequence<byte>(wire);
        while (reader.TryRead(input, answers, out SequencePosition consumed, out _, out ProtocolEvent e))
        {
            events.Add((e.Kind, e.Opcode, e.Payload.ToArray(), e.Error));
            if (e.Kind == ProtocolEventKind.Failed)
            {
                break;
            }

            input = input.Slice(consumed);
        }

        return events;
    }

    /// <summary>The RSV bits and opcode of each frame in <paramref name="wire"/>, with its payload length.</summary>
    public static List<FrameHeader> Headers(byte[] wire)
    {
        var headers = new List<FrameHeader>();
        ReadOnlySpan<byte> rest = wire;
        while (!rest.IsEmpty)
        {
            // Parsed by hand: FrameHeader.TryRead refuses RSV bits, which these frames carry.
            byte first = rest[0];
            var cleared = rest.ToArray();
            cleared[0] = (byte)(first & 0x8F);
            FrameHeader.TryRead(cleared, out FrameHeader header, out _);
            headers.Add(header with { Rsv = (byte)((first >> 4) & 7) });
            rest = rest[(header.Length + (int)header.PayloadLength)..];
        }

        return headers;
    }
}
