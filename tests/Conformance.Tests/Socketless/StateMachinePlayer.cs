using System.Buffers;
using System.Globalization;
using Switchboard.Conformance.Tests.Model;
using Switchboard.Conformance.Tests.Wire;
using Switchboard.Protocol;
using Switchboard.Protocol.Connection;
using Switchboard.Protocol.Framing;
using Switchboard.Tests.Framing;

namespace Switchboard.Conformance.Tests.Socketless;

/// <summary>How the client's bytes reach the state machine.</summary>
public enum Feed
{
    /// <summary>Each write in one read, chopped as the case chops it on a socket.</summary>
    AsWritten,

    /// <summary>Writes that follow each other with nothing to wait for in between, in one read.</summary>
    Joined,

    /// <summary>Every byte its own read.</summary>
    Bytewise,

    /// <summary>Each write in one read, presented as a sequence of random segments.</summary>
    RandomSegments,
}

/// <summary>
/// Plays a <see cref="ConformanceCase"/> against <see cref="ProtocolConnection"/> with no socket: an echo application
/// over the state machine, configured as the Echo sample, on a clock that moves only when a step waits. The client
/// behaves as <see cref="CaseRunner"/>'s does, and <see cref="CaseJudge"/> gives the verdict, so a case means the same
/// here as over a socket.
/// </summary>
public sealed class StateMachinePlayer
{
    private const int SixteenMiB = 16 * 1024 * 1024;

    private readonly ConformanceCase _case;
    private readonly Feed _feed;
    private readonly ManualClock _clock = new();
    private readonly ProtocolConnection _server;
    private readonly ArrayBufferWriter<byte> _output = new();
    private readonly ServerFrameParser _parser = new();
    private readonly Random _random;
    private readonly List<string> _transcript = [];
    private readonly List<string> _failures = [];
    private readonly List<ServerFrame> _received = [];
    private readonly List<byte> _joined = [];
    private readonly ReadWindow _window = new();
    private bool _closeSent;
    private bool _midFrame;
    private bool _serverClosedFirst;
    private int _dataItems;
    private ServerFrame? _serverClose;

    private StateMachinePlayer(ConformanceCase c, Feed feed)
    {
        _case = c;
        _feed = feed;
        _random = new Random(c.Id.GetHashCode(StringComparison.Ordinal));
        _server = new ProtocolConnection(WebSocketRole.Server, new ProtocolConnectionOptions
        {
            Frames = new FrameReaderOptions { MaxFrameSize = SixteenMiB, MaxMessageSize = SixteenMiB, MaxFragments = SixteenMiB },
            TimeProvider = _clock,
        });
    }

    /// <summary>Whether <paramref name="feed"/> says something more than <see cref="Feed.AsWritten"/> for this case at an affordable cost.</summary>
    public static bool Applies(ConformanceCase c, Feed feed)
    {
        var bytes = c.Steps.OfType<SendStep>().Sum(s => (long)s.Bytes.Length);
        return feed switch
        {
            Feed.AsWritten => true,
            Feed.Joined => c.Steps.OfType<SendStep>().Count() > 1 && bytes <= 1024 * 1024,
            Feed.Bytewise => bytes <= 4096 && c.Steps.OfType<SendStep>().Any(s => s.ChunkSize != 1),
            _ => bytes <= 64 * 1024,
        };
    }

    public static CaseResult Play(ConformanceCase c, Feed feed)
    {
        var player = new StateMachinePlayer(c, feed);
        player.Run();
        return CaseJudge.Judge(c, player._received, player._serverClose, player._serverClosedFirst, player._transcript, player._failures);
    }

    /// <summary>The server ended the connection: a real one would now end TCP.</summary>
    private bool Ended => _server.State is ProtocolState.CloseReceived or ProtocolState.Closed;

    private bool Closing => _serverClose is not null || Ended;

    private void Run()
    {
        foreach (var step in _case.Steps)
        {
            if (step is not SendStep && step is not PauseStep) FlushJoined();
            if (Closing)
            {
                // Like Autobahn, the client only goes on while the connection is open.
                Note($"skipped (server already closing): {step}");
                continue;
            }

            switch (step)
            {
                case SendStep send:
                    Send(send);
                    break;
                case PauseStep pause:
                    Wait(pause.Duration);
                    break;
                case ExpectOpenStep open:
                    Wait(open.Duration);
                    if (Closing) Fail($"the server closed during a wait in which it had to stay open ({open.Why})");
                    break;
                case AwaitRepliesStep replies:
                    if (_dataItems < replies.Count) Fail($"only {_dataItems} of {replies.Count} replies ({replies.Why})");
                    break;
                case RoundTripStep trip:
                    var bytes = trip.Frame.ToBytes();
                    for (var i = 0; i < trip.Count && !Closing; i++)
                    {
                        var before = _dataItems;
                        Deliver(bytes, chunk: 0);
                        if (_dataItems == before)
                        {
                            Fail($"round trip {i + 1} of {trip.Count} got no answer");
                            break;
                        }
                    }
                    Note($"{trip.Count} round trips of {Steps.Name(trip.Frame)}");
                    break;
                case ExpectCloseStep close:
                    if (_serverClose is null) Fail($"no close frame yet ({close.Why})");
                    break;
            }
        }

        FlushJoined();
        if (!_case.Close.ServerFails && !_closeSent && !Closing) SendClose(Frames.Close(1000), "client closes with 1000");

        // A server waiting for the client's close gives up after its close timeout.
        if (!Ended) Wait(_case.Deadline);
        if (!Ended) Fail($"the server did not end the connection within {_case.Deadline.TotalSeconds:0.#} s of the last step");
    }

    private void Send(SendStep send)
    {
        // The client's own state moves as it writes, before the server's answers to the bytes come back.
        Note($"sent {send.What}");
        _midFrame = send.EndsMidFrame;
        if (send.SendsClose) _closeSent = true;
        if (_feed == Feed.Joined)
        {
            _joined.AddRange(send.Bytes);
        }
        else
        {
            Deliver(send.Bytes, send.ChunkSize);
        }
    }

    private void FlushJoined()
    {
        if (_joined.Count == 0) return;
        byte[] bytes = [.. _joined];
        _joined.Clear();
        Deliver(bytes, chunk: 0);
    }

    private void SendClose(ClientFrame close, string why)
    {
        Note($"sent {Steps.Name(close)} ({why})");
        _closeSent = true;
        Deliver(close.ToBytes(), chunk: 0);
    }

    /// <summary>The client's bytes arrive: read by the server until it needs more, then its answers are taken.</summary>
    private void Deliver(byte[] bytes, int chunk)
    {
        var size = _feed == Feed.Bytewise ? 1 : chunk;
        if (size <= 0)
        {
            Read(bytes);
            return;
        }

        for (var i = 0; i < bytes.Length && !Ended; i += size)
        {
            Read(bytes.AsSpan(i, Math.Min(size, bytes.Length - i)));
        }
    }

    private void Read(ReadOnlySpan<byte> bytes)
    {
        // A connection the server ended takes no more bytes: the client's write fails.
        if (Ended) return;
        _window.Append(bytes);
        while (true)
        {
            var unread = _window.Unread;
            var input = _feed == Feed.RandomSegments ? TestSegment.Random(unread, _random) : new ReadOnlySequence<byte>(unread);
            var read = _server.TryRead(input, _output, out var consumed, out _, out var e);
            _window.Consume((int)input.Slice(input.Start, consumed).Length);
            if (!read) break;
            switch (e.Kind)
            {
                case ProtocolEventKind.Message:
                    _server.Send(_output, e.Opcode, e.Payload);
                    break;
                case ProtocolEventKind.Failed:
                    Note($"server failed the connection: {e.Error}");
                    break;
            }

            if (e.Kind == ProtocolEventKind.Failed) break;
        }

        TakeOutput();
    }

    /// <summary>Time passes: whatever the server's timers do, it does now.</summary>
    private void Wait(TimeSpan duration)
    {
        var until = _clock.Now + duration;
        while (!Ended && _server.GetNextDeadline() is { } next && _clock.Now + next <= until)
        {
            _clock.Advance(next);
            var outcome = _server.OnTimer(_output);
            TakeOutput();
            if (outcome == TimerOutcome.None) break; // a deadline that does nothing when due would repeat forever
            Note($"server timer: {outcome}");
        }

        _clock.Advance(until - _clock.Now);
    }

    /// <summary>Parses what the server wrote and answers its close as a correct client does.</summary>
    private void TakeOutput()
    {
        if (_output.WrittenCount == 0) return;
        var written = _output.WrittenSpan;
        while (!written.IsEmpty)
        {
            var room = _parser.GetWriteMemory();
            var n = Math.Min(room.Length, written.Length);
            written[..n].CopyTo(room.Span);
            _parser.Advance(n);
            written = written[n..];
        }

        _output.ResetWrittenCount();
        while (_parser.TryRead(out var frame))
        {
            Receive(frame!);
        }

        if (_parser.Broken is { } broken) Fail($"the server's byte stream cannot be framed: {broken}");
    }

    private void Receive(ServerFrame frame)
    {
        _received.Add(frame);
        if (frame.Opcode == 10 || (frame.Opcode is 0 or 1 or 2 && frame.Fin)) _dataItems++;
        Note($"received {frame}");
        if (frame.Opcode != 8 || _serverClose is not null) return;
        _serverClose = frame;
        _serverClosedFirst = !_closeSent;
        if (!_closeSent && !_midFrame)
        {
            // A correct client echoes the status code (section 5.5.1).
            var reply = frame.CloseCode is { } code && code is >= 1000 and < 5000 and not (1004 or 1005 or 1006 or 1015)
                ? Frames.Close(code) : Frames.Close();
            SendClose(reply, "answering the server's close");
        }
    }

    private void Fail(string failure) => _failures.Add(failure);

    private void Note(string line) =>
        _transcript.Add($"+{_clock.Now.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)}s {line}");

    /// <summary>Bytes received and not consumed yet, as a transport pump keeps them: appended at the end, released from the start.</summary>
    private sealed class ReadWindow
    {
        private byte[] _buffer = new byte[4096];
        private int _start;
        private int _end;

        public Memory<byte> Unread => _buffer.AsMemory(_start, _end - _start);

        public void Append(ReadOnlySpan<byte> bytes)
        {
            if (_end + bytes.Length > _buffer.Length)
            {
                var unread = _end - _start;
                var grown = unread + bytes.Length > _buffer.Length ? new byte[Math.Max(_buffer.Length * 2, unread + bytes.Length)] : _buffer;
                _buffer.AsSpan(_start, unread).CopyTo(grown);
                _buffer = grown;
                _start = 0;
                _end = unread;
            }

            bytes.CopyTo(_buffer.AsSpan(_end));
            _end += bytes.Length;
        }

        public void Consume(int count) => _start += count;
    }

    /// <summary>A clock that moves only when the player waits.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private static readonly long Start = TimeSpan.FromDays(1).Ticks;
        private long _ticks = Start;

        public TimeSpan Now => TimeSpan.FromTicks(_ticks - Start);

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public override DateTimeOffset GetUtcNow() => new(_ticks, TimeSpan.Zero);

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
