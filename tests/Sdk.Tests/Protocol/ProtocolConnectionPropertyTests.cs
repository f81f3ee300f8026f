using System.Buffers;
using CsCheck;
using Switchboard.Protocol;
using Switchboard.Protocol.Connection;
using Switchboard.Protocol.Framing;
using Switchboard.Tests.Framing;
using Xunit;

namespace Switchboard.Tests.Protocol;

/// <summary>
/// Random runs: a peer's frames (valid ones, then sometimes garbage) arrive in random chunks and segments while the
/// application sends, pings and closes, the output backs up and drains, and time passes. Whatever happens, the
/// connection never throws, its output reads as valid frames of its role with nothing after its one close frame, every
/// ping received while open is answered in order (only the latest while the output is backed up), no message is
/// delivered after a close, and what it reports is what the peer sent.
/// </summary>
public class ProtocolConnectionPropertyTests
{
    private static readonly ProtocolConnectionOptions Timers = new()
    {
        KeepAliveInterval = TimeSpan.FromSeconds(30),
        KeepAliveTimeout = TimeSpan.FromSeconds(10),
        CloseTimeout = TimeSpan.FromSeconds(5),
    };

    private static readonly byte[][] Garbage =
    [
        [0xC1, 0x00], // RSV1
        [0x83, 0x00], // reserved opcode
        [0x09, 0x00], // fragmented ping
        [0x81, 0x01, 0xFF], [0x81, 0x81, 0, 0, 0, 0, 0xFF], // invalid UTF-8, unmasked and masked
        [0x80, 0x00], // continuation of nothing
        [0x88, 0x01, 0x03], [0x88, 0x81, 0, 0, 0, 0, 0x03], // 1-byte close
    ];

    private enum Action
    {
        Deliver,
        Send,
        Ping,
        Close,
        Tick,
        BackUp,
        Drain,
        Abort,
    }

    private static readonly Gen<(Action Action, int Value)> StepGen = Gen.Select(
        Gen.Frequency((10, Gen.Const(Action.Deliver)), (3, Gen.Const(Action.Send)), (1, Gen.Const(Action.Ping)), (1, Gen.Const(Action.Close)),
            (2, Gen.Const(Action.Tick)), (1, Gen.Const(Action.BackUp)), (1, Gen.Const(Action.Drain))),
        Gen.Int[0, 200]);

    [Fact]
    public void Random_runs_keep_every_invariant()
    {
        Gen.Select(Conversation.Generate(large: false), StepGen.Array[0, 40], Gen.Int[-1, Garbage.Length * 3], Gen.Int, Gen.Bool)
            .Sample((conversation, steps, garbage, seed, abortAtEnd) =>
            {
                byte[] wire = conversation.Wire();
                if (garbage >= 0)
                {
                    // Garbage in place of the close, or random bytes after the frames.
                    wire = garbage < Garbage.Length
                        ? [.. Cut(wire, conversation), .. Garbage[garbage]]
                        : [.. wire, .. new Random(seed).GetItems<byte>(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), garbage)];
                }

                Run(conversation, wire, steps, seed, garbage >= 0, abortAtEnd);
            }, iter: 1000);
    }

    [Fact]
    public void Abort_midway_keeps_every_invariant()
    {
        Gen.Select(Conversation.Generate(large: false), StepGen.Array[0, 20], Gen.Int)
            .Sample((conversation, steps, seed) =>
            {
                var random = new Random(seed);
                var withAbort = steps.ToList();
                withAbort.Insert(random.Next(withAbort.Count + 1), (Action.Abort, 0));
                Run(conversation, conversation.Wire(), [.. withAbort], seed, garbage: true, abortAtEnd: false);
            }, iter: 200);
    }

    // The wire without the conversation's close frame, so garbage comes where the close would.
    private static byte[] Cut(byte[] wire, Conversation conversation) =>
        conversation.Close is null ? wire : (conversation with { Close = null }).Wire();

    private static void Run(Conversation conversation, byte[] wire, (Action Action, int Value)[] steps, int seed, bool garbage, bool abortAtEnd)
    {
        var random = new Random(seed);
        var pump = new Pump(conversation.ReaderRole, Timers);
        ProtocolConnection connection = pump.Connection;
        var sent = new List<ReadItem>();
        var pongs = new List<string>();
        string? kept = null;
        bool weClosed = false;
        bool deliveryEnded = false;
        int delivered = 0;
        ProtocolState state = connection.State;

        void Deliver(int count)
        {
            count = Math.Min(count, wire.Length - delivered);
            int eventsBefore = pump.Events.Count;
            ProtocolState before = connection.State;
            bool backedUp = connection.IsOutputBackedUp;
            pump.Receive(wire[delivered..(delivered + count)], m => TestSegment.Random(m, random));
            delivered += count;
            foreach (Ev e in pump.Events.Skip(eventsBefore))
            {
                Assert.True(before is ProtocolState.Open or ProtocolState.Closing, $"{e.Kind} reported in state {before}");
                if (e.Kind == ProtocolEventKind.Message)
                {
                    Assert.Equal(ProtocolState.Open, before); // nothing delivered after our close
                }

                if (e.Kind == ProtocolEventKind.Ping && before == ProtocolState.Open)
                {
                    if (backedUp)
                    {
                        kept = e.Payload;
                    }
                    else
                    {
                        pongs.Add(e.Payload);
                    }
                }

                if (e.Kind is ProtocolEventKind.Close or ProtocolEventKind.Failed)
                {
                    before = ProtocolState.Closed; // nothing may follow in this read
                }
            }
        }

        foreach ((Action action, int value) in steps)
        {
            switch (action)
            {
                case Action.Deliver:
                    Deliver(value);
                    break;
                case Action.Send:
                    Opcode opcode = value % 2 == 0 ? Opcode.Text : Opcode.Binary;
                    byte[] payload = opcode == Opcode.Text ? System.Text.Encoding.UTF8.GetBytes("héllo wörld κόσμε"[..(value % 18)]) : Hex.Counting(value);
                    if (value % 3 == 0 ? connection.Send(pump.Output, opcode, payload) : connection.Send(pump.Output, opcode, new ReadOnlySequence<byte>(payload)))
                    {
                        sent.Add(ReadItem.Message(opcode, payload));
                    }

                    break;
                case Action.Ping:
                    connection.Ping(pump.Output, Hex.Counting(value % 126));
                    break;
                case Action.Close:
                    weClosed |= connection.Close(pump.Output, value % 2 == 0 ? CloseCode.NormalClosure : CloseCode.GoingAway, value % 5 == 0 ? "bye" : null);
                    if (connection.State != ProtocolState.Open)
                    {
                        kept = null;
                    }

                    break;
                case Action.Tick:
                    pump.Time.Advance(TimeSpan.FromSeconds(value % 45));
                    connection.OnTimer(pump.Output);
                    break;
                case Action.BackUp:
                    connection.OnOutputBackedUp();
                    break;
                case Action.Drain:
                    if (connection.OnOutputDrained(pump.Output))
                    {
                        Assert.NotNull(kept);
                        pongs.Add(kept);
                    }

                    kept = null;
                    break;
                case Action.Abort:
                    connection.Abort();
                    deliveryEnded = true;
                    break;
            }

            if (connection.State != ProtocolState.Open)
            {
                kept = null;
            }

            AssertMonotonic(state, connection.State);
            state = connection.State;
        }

        if (!deliveryEnded)
        {
            Deliver(wire.Length);
        }

        if (abortAtEnd)
        {
            connection.Abort();
        }

        // Our output: valid frames for the peer's reader, nothing after one close frame.
        WebSocketRole peer = conversation.ReaderRole == WebSocketRole.Server ? WebSocketRole.Client : WebSocketRole.Server;
        byte[] output = pump.Output.WrittenSpan.ToArray();
        Transcript written = ReaderDriver.ReadWhole(output, peer);
        Assert.Equal(FrameError.None, written.Error);
        Assert.Equal(output.Length, written.Consumed);
        Assert.False(written.HasOpenMessage);
        int closes = written.Items.Count(i => i.Opcode == Opcode.Close);
        Assert.True(closes <= 1, "more than one close frame");
        if (closes == 1)
        {
            Assert.Equal(Opcode.Close, written.Items[^1].Opcode);
        }

        Assert.Equal(sent, written.Items.Where(i => i.Kind == FrameEventKind.Data).ToList());
        Assert.Equal(pongs, written.Items.Where(i => i.Opcode == Opcode.Pong).Select(i => i.Payload).ToList());

        // What was reported: the peer's frames in order, some left out only once the connection stopped taking them.
        List<ReadItem> reported = pump.Events.Where(e => e.Kind != ProtocolEventKind.Failed).Select(ToReadItem).ToList();
        List<ReadItem> expected = conversation.Expected();
        if (!garbage && !weClosed && !deliveryEnded && !abortAtEnd && connection.State != ProtocolState.Closed)
        {
            Assert.Equal(expected, reported);
        }
        else if (!garbage || pump.Events.All(e => e.Kind != ProtocolEventKind.Failed))
        {
            AssertSubsequence(expected, reported, garbage);
        }

        Assert.True(pump.Events.Count(e => e.Kind is ProtocolEventKind.Close or ProtocolEventKind.Failed) <= 1);
        if (pump.Events.Count > 0 && pump.Events.Any(e => e.Kind is ProtocolEventKind.Close or ProtocolEventKind.Failed))
        {
            Assert.True(pump.Events[^1].Kind is ProtocolEventKind.Close or ProtocolEventKind.Failed, "an event after the close");
            Assert.True(connection.State is ProtocolState.CloseReceived or ProtocolState.Closed);
        }
    }

    private static ReadItem ToReadItem(Ev e) => e.Kind switch
    {
        ProtocolEventKind.Message => new ReadItem(FrameEventKind.Data, e.Opcode, e.Payload),
        ProtocolEventKind.Close => new ReadItem(FrameEventKind.Control, Opcode.Close, e.Payload, e.Status, e.Reason),
        _ => new ReadItem(FrameEventKind.Control, e.Opcode, e.Payload),
    };

    // Random garbage may read as frames of its own: then only the part before it must match.
    private static void AssertSubsequence(List<ReadItem> expected, List<ReadItem> reported, bool garbage)
    {
        int j = 0;
        foreach (ReadItem item in reported)
        {
            while (j < expected.Count && expected[j] != item)
            {
                j++;
            }

            if (j == expected.Count)
            {
                Assert.True(garbage, $"{item} was never sent");
                return;
            }

            j++;
        }
    }

    private static void AssertMonotonic(ProtocolState before, ProtocolState after)
    {
        bool allowed = before == after || (before, after) switch
        {
            (ProtocolState.Open, _) => true,
            (ProtocolState.Closing or ProtocolState.CloseReceived, ProtocolState.Closed) => true, // the latter by Abort
            _ => false,
        };
        Assert.True(allowed, $"{before} -> {after}");
    }
}
