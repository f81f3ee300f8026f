using Switchboard.Protocol;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Protocol;

/// <summary>The opt-in frame trace: every frame the reader takes, data and control, once, with its header and first bytes.</summary>
public class FrameTraceTests
{
    private sealed record Seen(bool Fin, byte Rsv, Opcode Opcode, bool Masked, int LengthForm, long Length, uint MaskKey, string MaskedHex, string UnmaskedHex);

    private sealed class Recorder : IFrameTraceObserver
    {
        public List<Seen> Frames { get; } = [];

        public void OnFrame(in FrameTrace frame)
        {
            Span<byte> masked = stackalloc byte[8];
            Span<byte> unmasked = stackalloc byte[8];
            int count = frame.CopyFirstBytes(masked, unmasked);
            FrameHeader h = frame.Header;
            Frames.Add(new Seen(h.Fin, h.Rsv, h.Opcode, h.Masked, frame.LengthForm, h.PayloadLength, h.MaskKey,
                Convert.ToHexString(masked[..count]), Convert.ToHexString(unmasked[..count])));
        }
    }

    [Fact]
    public void Section_5_7_masked_hello_and_a_ping_are_traced_with_their_header_fields_and_bytes()
    {
        var recorder = new Recorder();
        Pump pump = Pump.Server();
        pump.Connection.FrameObserver = recorder;

        pump.Receive("81 85 37 FA 21 3D 7F 9F 4D 51 58  89 85 37 FA 21 3D 7F 9F 4D 51 58");

        Assert.Equal(
            [
                new Seen(true, 0, Opcode.Text, true, 7, 5, 0x3D21FA37, "7F9F4D5158", "48656C6C6F"),
                new Seen(true, 0, Opcode.Ping, true, 7, 5, 0x3D21FA37, "7F9F4D5158", "48656C6C6F"),
            ],
            recorder.Frames);
    }

    [Theory]
    [InlineData(125, 7)]
    [InlineData(126, 16)]
    [InlineData(65535, 16)]
    [InlineData(65536, 64)]
    public void Each_length_form_is_named_and_a_frame_arriving_bytewise_is_traced_once(int length, int form)
    {
        byte[] payload = new byte[length];
        for (int i = 0; i < length; i++)
        {
            payload[i] = (byte)i;
        }

        var header = new FrameHeader(Fin: false, Rsv: 0, Opcode.Binary, Masked: true, length, MaskKey: 0x3D21FA37);
        byte[] frame = new byte[header.Length + length];
        header.Write(frame);
        payload.CopyTo(frame, header.Length);
        Mask.Apply(frame.AsSpan(header.Length), header.MaskKey, 0);
        string maskedStart = Convert.ToHexString(frame, header.Length, 8);
        byte[] last = Framing.Hex.Bytes("80 80 37 FA 21 3D"); // the empty final continuation

        var recorder = new Recorder();
        Pump pump = Pump.Server();
        pump.Connection.FrameObserver = recorder;
        pump.Receive(frame[..(header.Length + 3)]).Receive(frame[(header.Length + 3)..]).Receive(last);

        Assert.Equal(
            [
                new Seen(false, 0, Opcode.Binary, true, form, length, 0x3D21FA37, maskedStart, "0001020304050607"),
                new Seen(true, 0, Opcode.Continuation, true, 7, 0, 0x3D21FA37, "", ""),
            ],
            recorder.Frames);
    }

    [Fact]
    public void Without_an_observer_nothing_is_traced_and_reading_is_unchanged()
    {
        Pump pump = Pump.Server();

        pump.Receive("81 85 37 FA 21 3D 7F 9F 4D 51 58");

        Assert.Null(pump.Connection.FrameObserver);
        Assert.Equal([Ev.Text("Hello")], pump.Events);
    }
}
