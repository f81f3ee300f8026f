using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Switchboard.Conformance.Tests.Wire;

namespace Switchboard.Conformance.Tests.Model;

/// <summary>
/// Plays a <see cref="ConformanceCase"/> against a server and judges what came back, the way Autobahn's fuzzing
/// client does: the client answers the server's close like a correct peer, never closes TCP first, and every wait
/// is bounded.
/// </summary>
public static class CaseRunner
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Writes that do not finish in this time mean the server stopped reading.</summary>
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);

    public static async Task<CaseResult> RunAsync(int port, ConformanceCase c)
    {
        var run = new Run(c);
        await using (var connection = await RawConnection.OpenAsync(port, HandshakeTimeout, "/conformance/" + c.Id))
        {
            run.Connection = connection;
            await run.PlayAsync();
        }
        return run.Judge();
    }

    private sealed class Run(ConformanceCase c)
    {
        private readonly List<string> _transcript = [];
        private readonly List<string> _failures = [];
        private readonly List<ServerFrame> _received = [];
        private bool _closeSent;
        private bool _midFrame;
        private bool _sendFailed;
        private bool _ended;
        private bool _serverClosedFirst;
        private int _dataItems;
        private ServerFrame? _serverClose;

        public RawConnection Connection { get; set; } = null!;

        private bool Closing => _serverClose is not null || _ended;

        public async Task PlayAsync()
        {
            foreach (var step in c.Steps)
            {
                // Like Autobahn, the client only goes on while the connection is open.
                if (Closing)
                {
                    Note($"skipped (server already closing): {Describe(step)}");
                    continue;
                }
                switch (step)
                {
                    case SendStep send:
                        await SendAsync(send);
                        await ProcessAsync(TimeSpan.Zero, () => false);
                        break;
                    case PauseStep pause:
                        await ProcessAsync(pause.Duration, () => _ended);
                        break;
                    case ExpectOpenStep open:
                        await ProcessAsync(open.Duration, () => Closing);
                        if (Closing) Fail($"the server closed during a wait in which it had to stay open ({open.Why})");
                        else Note($"stayed open {open.Duration.TotalMilliseconds:0} ms as required ({open.Why})");
                        break;
                    case AwaitRepliesStep replies:
                        await ProcessAsync(replies.Within, () => Closing || _dataItems >= replies.Count);
                        if (_dataItems < replies.Count)
                            Fail($"only {_dataItems} of {replies.Count} replies within {replies.Within.TotalMilliseconds:0} ms ({replies.Why})");
                        break;
                    case RoundTripStep trip:
                        await RoundTripsAsync(trip);
                        break;
                    case ExpectCloseStep close:
                        await ProcessAsync(close.Within, () => Closing);
                        if (_serverClose is null)
                            Fail($"no close frame within {close.Within.TotalMilliseconds:0} ms ({close.Why})");
                        break;
                }
            }

            if (!c.Close.ServerFails && !_closeSent && !Closing)
            {
                // Autobahn's closeAfter: give the expected replies time to come back before closing.
                await ProcessAsync(c.Deadline, () => Closing || DataItems() >= c.Frames.Count);
                if (!Closing) await SendCloseAsync(Frames.Close(1000), "client closes with 1000");
            }

            await ProcessAsync(c.Deadline, () => _ended);
            if (!_ended) Fail($"the server did not end the TCP connection within {c.Deadline.TotalSeconds:0.#} s of the last step");
        }

        private async Task SendAsync(SendStep send)
        {
            if (_sendFailed) return;
            using var timeout = new CancellationTokenSource(SendTimeout);
            try
            {
                if (send.ChunkSize <= 0)
                {
                    await Connection.SendAsync(send.Bytes).WaitAsync(timeout.Token);
                }
                else
                {
                    for (var i = 0; i < send.Bytes.Length; i += send.ChunkSize)
                    {
                        await Connection.SendAsync(send.Bytes.AsMemory(i, Math.Min(send.ChunkSize, send.Bytes.Length - i))).WaitAsync(timeout.Token);
                        // Pacing, not a wait for an event: the gap makes each chunk arrive in a read of its own, as the case asks.
                        if (send.Delay > TimeSpan.Zero) await Task.Delay(send.Delay);
                    }
                }
                Note($"sent {send.What}");
                _midFrame = send.EndsMidFrame;
                if (send.SendsClose) _closeSent = true;
            }
            catch (SocketException e)
            {
                // A server that failed the connection may reset it while we are still writing: not an error by itself.
                _sendFailed = true;
                Note($"send of {send.What} stopped: {e.SocketErrorCode}");
            }
            catch (OperationCanceledException)
            {
                _sendFailed = true;
                Fail($"writing {send.What} blocked for {SendTimeout.TotalSeconds:0} s: the server stopped reading");
            }
        }

        /// <summary>Autobahn 9.7/9.8: one message at a time, each sent only once the previous one came back.</summary>
        private async Task RoundTripsAsync(RoundTripStep trip)
        {
            var bytes = trip.Frame.ToBytes();
            var started = Connection.Elapsed;
            var quiet = _transcript.Count;
            for (var i = 0; i < trip.Count && !Closing && !_sendFailed; i++)
            {
                var before = _dataItems;
                await SendAsync(new SendStep(bytes, Steps.Name(trip.Frame)));
                await ProcessAsync(trip.Within, () => Closing || _dataItems > before);
                if (_dataItems == before)
                {
                    Fail($"round trip {i + 1} of {trip.Count} got no answer within {trip.Within.TotalSeconds:0.#} s");
                    break;
                }
            }
            // One line for the whole loop instead of thousands.
            _transcript.RemoveRange(quiet, _transcript.Count - quiet);
            Note($"{trip.Count} round trips of {Steps.Name(trip.Frame)} took {(Connection.Elapsed - started).TotalMilliseconds:0} ms");
        }

        private async Task SendCloseAsync(ClientFrame close, string why)
        {
            try
            {
                await Connection.SendAsync(close.ToBytes());
                Note($"sent {Steps.Name(close)} ({why})");
            }
            catch (SocketException e)
            {
                Note($"could not send close ({why}): {e.SocketErrorCode}");
            }
            _closeSent = true;
        }

        /// <summary>Handles server events until <paramref name="done"/> holds, the server is gone, or the time is up.</summary>
        private async Task ProcessAsync(TimeSpan duration, Func<bool> done)
        {
            using var timeout = new CancellationTokenSource(duration);
            while (!done())
            {
                if (!Connection.Events.TryRead(out var next))
                {
                    if (duration == TimeSpan.Zero) return;
                    try
                    {
                        if (!await Connection.Events.WaitToReadAsync(timeout.Token))
                        {
                            _ended = true;
                            return;
                        }
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    continue;
                }
                await HandleAsync(next);
            }
        }

        private async Task HandleAsync(ServerEvent e)
        {
            switch (e)
            {
                case FrameReceived { Frame: var frame }:
                    _received.Add(frame);
                    if (frame.Opcode == 10 || (frame.Opcode is 0 or 1 or 2 && frame.Fin)) _dataItems++;
                    Log(e.At, $"received {frame}");
                    if (frame.Opcode == 8 && _serverClose is null)
                    {
                        _serverClose = frame;
                        _serverClosedFirst = !_closeSent;
                        if (!_closeSent && !_midFrame && !_sendFailed)
                        {
                            // A correct client echoes the status code (section 5.5.1).
                            var reply = frame.CloseCode is { } code && code is >= 1000 and < 5000 and not (1004 or 1005 or 1006 or 1015)
                                ? Frames.Close(code) : Frames.Close();
                            await SendCloseAsync(reply, "answering the server's close");
                        }
                    }
                    break;
                case ConnectionEnded ended:
                    _ended = true;
                    Log(e.At, ended.Reset ? "server reset the TCP connection" : "server ended the TCP connection (FIN)");
                    break;
                case StreamBroken broken:
                    _ended = true;
                    Log(e.At, $"server stream unreadable: {broken.Problem}");
                    Fail($"the server's byte stream cannot be framed: {broken.Problem}");
                    break;
            }
        }

        /// <summary>Data messages and pongs received so far (frames of an unfinished message not counted).</summary>
        private int DataItems() => _dataItems;

        public CaseResult Judge() => CaseJudge.Judge(c, _received, _serverClose, _serverClosedFirst, _transcript, _failures);

        private void Fail(string failure) => _failures.Add(failure);

        private void Note(string line) => Log(Connection.Elapsed, line);

        private void Log(TimeSpan at, string line) => _transcript.Add($"+{at.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)}s {line}");

        private static string Describe(CaseStep step) => step switch
        {
            SendStep s => $"send {s.What}",
            PauseStep p => $"pause {p.Duration.TotalMilliseconds:0} ms",
            ExpectOpenStep o => $"stay open {o.Duration.TotalMilliseconds:0} ms",
            ExpectCloseStep x => $"expect close within {x.Within.TotalMilliseconds:0} ms",
            AwaitRepliesStep a => $"await {a.Count} replies",
            RoundTripStep r => $"{r.Count} round trips",
            _ => step.ToString()!,
        };
    }
}
