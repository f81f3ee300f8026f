using System.Buffers;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Framing;

/// <summary>Collects a reader's events into <see cref="ReadItem"/>s, checking event invariants on the way.</summary>
internal sealed class Transcript
{
    private readonly List<byte> _message = [];
    private Opcode? _messageOpcode;

    public List<ReadItem> Items { get; } = [];

    /// <summary>Every Data event as (opcode, payload hex, end of message), for piece-level assertions.</summary>
    public List<(Opcode Opcode, string Payload, bool EndOfMessage)> DataEvents { get; } = [];

    /// <summary>Bytes of the input the reader reported consumed.</summary>
    public int Consumed { get; set; }

    public bool HasOpenMessage => _messageOpcode is not null;

    public FrameError Error => Items.Count > 0 ? Items[^1].Error : FrameError.None;

    /// <summary>Records one event; false after an error.</summary>
    public bool Add(in FrameEvent frameEvent)
    {
        switch (frameEvent.Kind)
        {
            case FrameEventKind.Data:
                Assert.True(frameEvent.Opcode is Opcode.Text or Opcode.Binary, $"Data event with opcode {frameEvent.Opcode}");
                Assert.Equal(FrameError.None, frameEvent.Error);
                _messageOpcode ??= frameEvent.Opcode;
                Assert.Equal(_messageOpcode, frameEvent.Opcode);
                byte[] piece = frameEvent.Payload.ToArray();
                DataEvents.Add((frameEvent.Opcode, Hex.Of(piece), frameEvent.EndOfMessage));
                _message.AddRange(piece);
                if (frameEvent.EndOfMessage)
                {
                    Items.Add(ReadItem.Message(frameEvent.Opcode, _message.ToArray()));
                    _message.Clear();
                    _messageOpcode = null;
                }

                return true;

            case FrameEventKind.Control:
                Assert.True(frameEvent.Opcode is Opcode.Close or Opcode.Ping or Opcode.Pong, $"Control event with opcode {frameEvent.Opcode}");
                Assert.False(frameEvent.EndOfMessage);
                Items.Add(frameEvent.Opcode == Opcode.Close
                    ? ReadItem.Close(frameEvent.CloseStatus, frameEvent.Payload.ToArray(), frameEvent.CloseReason.ToArray())
                    : ReadItem.Control(frameEvent.Opcode, frameEvent.Payload.ToArray()));
                if (frameEvent.Opcode != Opcode.Close)
                {
                    Assert.Null(frameEvent.CloseStatus);
                    Assert.True(frameEvent.CloseReason.IsEmpty);
                }

                return true;

            default:
                Assert.Equal(FrameEventKind.Error, frameEvent.Kind);
                Assert.NotEqual(FrameError.None, frameEvent.Error);
                Items.Add(ReadItem.Failure(frameEvent.Error));
                return false;
        }
    }
}
