using System.Buffers;
using Switchboard.Protocol;
using Switchboard.Protocol.Connection;
using Switchboard.Protocol.Framing;
using Switchboard.Tests.Framing;
using Xunit;

namespace Switchboard.Tests.Protocol;

/// <summary>
/// Drives a <see cref="ProtocolConnection"/> the way a transport pump does, with no socket: bytes arrive in chunks,
/// the unread window grows, <see cref="ProtocolConnection.TryRead"/> runs until it needs more, and what the connection
/// writes collects in <see cref="Output"/>. Checks the reader contract on every call.
/// </summary>
internal sealed class Pump
{
    private byte[] _window = [];

    public Pump(WebSocketRole role, ProtocolConnectionOptions? options = null, ManualTime? time = null)
    {
        Time = time ?? new ManualTime();
        Connection = new ProtocolConnection(role, Options(options, Time));
    }

    public ManualTime Time { get; }

    public ProtocolConnection Connection { get; }

    public ArrayBufferWriter<byte> Output { get; } = new();

    public List<Ev> Events { get; } = [];

    /// <summary>Called with each event before the next read, while its payload is valid: an application's handler.</summary>
    public Action<Pump, ProtocolEvent>? OnEvent { get; set; }

    /// <summary>Bytes received but not consumed yet.</summary>
    public int Unconsumed => _window.Length;

    public static Pump Server(ProtocolConnectionOptions? options = null) => new(WebSocketRole.Server, options);

    public static Pump Client(ProtocolConnectionOptions? options = null) => new(WebSocketRole.Client, options);

    /// <summary>The options with the pump's clock and the fixed mask key.</summary>
    public static ProtocolConnectionOptions Options(ProtocolConnectionOptions? options, TimeProvider time) => new()
    {
        Frames = options?.Frames ?? FrameReaderOptions.Default,
        CloseTimeout = options?.CloseTimeout ?? TimeSpan.FromSeconds(5),
        KeepAliveInterval = options?.KeepAliveInterval ?? TimeSpan.FromSeconds(30),
        KeepAliveTimeout = options?.KeepAliveTimeout ?? TimeSpan.FromSeconds(30),
        TimeProvider = time,
        MaskKeys = FixedMaskKeys.Instance,
    };

    /// <summary>Receives <paramref name="bytes"/> in one read, presented through <paramref name="segmenter"/> (single-segment when null).</summary>
    public Pump Receive(byte[] bytes, Func<Memory<byte>, ReadOnlySequence<byte>>? segmenter = null)
    {
        _window = [.. _window, .. bytes];
        while (true)
        {
            Memory<byte> memory = _window;
            ReadOnlySequence<byte> input = segmenter?.Invoke(memory) ?? new ReadOnlySequence<byte>(memory);
            bool read = Connection.TryRead(input, Output, out SequencePosition consumed, out SequencePosition examined, out ProtocolEvent e);
            long consumedLength = input.Slice(input.Start, consumed).Length;
            Assert.True(input.Slice(consumed).Length >= input.Slice(examined).Length, "examined is before consumed");
            _window = _window[(int)consumedLength..];
            if (!read)
            {
                Assert.Equal(ProtocolEventKind.None, e.Kind);
                Assert.Equal(0, input.Slice(examined).Length);
                return this;
            }

            Assert.NotEqual(ProtocolEventKind.None, e.Kind);
            Events.Add(Ev.Of(e));
            OnEvent?.Invoke(this, e);
            if (e.Kind == ProtocolEventKind.Failed)
            {
                _window = [];
                return this;
            }
        }
    }

    public Pump Receive(string hex) => Receive(Hex.Bytes(hex));

    /// <summary>Hex as <see cref="TakeOutput"/> spells it, from hex written with spaces.</summary>
    public static string Wire(string hex) => Hex.Of(Hex.Bytes(hex));

    /// <summary>Receives the bytes one read per byte.</summary>
    public Pump ReceiveBytewise(byte[] bytes)
    {
        foreach (byte b in bytes)
        {
            Receive([b]);
        }

        return this;
    }

    /// <summary>Everything written since the last call, as hex.</summary>
    public string TakeOutput()
    {
        string hex = Hex.Of(Output.WrittenSpan);
        Output.ResetWrittenCount();
        return hex;
    }
}
