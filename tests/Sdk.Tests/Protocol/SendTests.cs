using System.Buffers;
using Switchboard.Protocol;
using Switchboard.Protocol.Connection;
using Switchboard.Tests.Framing;
using Xunit;

namespace Switchboard.Tests.Protocol;

/// <summary>RFC 6455 sections 5.2-5.4 and 5.7 from the sending side: messages and fragments become frames of the role.</summary>
public class SendTests
{
    [Fact]
    public void Server_text_is_unmasked()
    {
        Pump pump = Pump.Server();

        Assert.True(pump.Connection.Send(pump.Output, Opcode.Text, "Hello"u8));

        Assert.Equal(Pump.Wire("81 05 48 65 6C 6C 6F"), pump.TakeOutput());
    }

    [Fact]
    public void Client_text_is_masked_and_the_source_untouched()
    {
        Pump pump = Pump.Client();
        byte[] payload = "Hello"u8.ToArray();

        pump.Connection.Send(pump.Output, Opcode.Text, payload);

        Assert.Equal(Pump.Wire("81 85 37 FA 21 3D 7F 9F 4D 51 58"), pump.TakeOutput());
        Assert.Equal("Hello"u8.ToArray(), payload);
    }

    [Fact]
    public void Fragments_go_out_as_text_then_continuation()
    {
        Pump pump = Pump.Server();

        pump.Connection.Send(pump.Output, Opcode.Text, "Hel"u8, endOfMessage: false);
        pump.Connection.Send(pump.Output, Opcode.Text, "lo"u8);
        pump.Connection.Send(pump.Output, Opcode.Binary, [1]);

        Assert.Equal(Pump.Wire("01 03 48 65 6C  80 02 6C 6F  82 01 01"), pump.TakeOutput());
    }

    [Fact]
    public void Fragment_of_another_opcode_is_refused()
    {
        Pump pump = Pump.Server();
        pump.Connection.Send(pump.Output, Opcode.Text, "a"u8, endOfMessage: false);

        Assert.Throws<InvalidOperationException>(() => pump.Connection.Send(pump.Output, Opcode.Binary, "b"u8));
    }

    [Theory]
    [InlineData(Opcode.Continuation)]
    [InlineData(Opcode.Ping)]
    [InlineData(Opcode.Close)]
    public void Only_text_and_binary_can_be_sent(Opcode opcode)
    {
        Pump pump = Pump.Server();

        Assert.Throws<ArgumentOutOfRangeException>(() => pump.Connection.Send(pump.Output, opcode, "a"u8));
    }

    [Theory]
    [InlineData(125, "82 7D")]
    [InlineData(126, "82 7E 00 7E")]
    [InlineData(65535, "82 7E FF FF")]
    [InlineData(65536, "82 7F 00 00 00 00 00 01 00 00")]
    public void Lengths_are_encoded_minimally(int length, string header)
    {
        Pump pump = Pump.Server();
        byte[] payload = Hex.Counting(length);

        pump.Connection.Send(pump.Output, Opcode.Binary, payload);

        Assert.Equal(Hex.Of(Hex.Concat(Hex.Bytes(header), payload)), pump.TakeOutput());
    }

    [Fact]
    public void Multi_segment_payload_is_masked_across_segments()
    {
        byte[] payload = Hex.Counting(300);
        Pump whole = Pump.Client();
        Pump segmented = Pump.Client();

        whole.Connection.Send(whole.Output, Opcode.Binary, payload);
        segmented.Connection.Send(segmented.Output, Opcode.Binary, TestSegment.Split(payload.ToArray(), [1, 2, 3, 0, 7, 100]));

        Assert.Equal(Hex.Of(Hex.Concat(Hex.Bytes("82 FE 01 2C 37 FA 21 3D"), Section5_4_MessageAssemblyTests.Masked(payload))), whole.TakeOutput());
        Assert.Equal(Hex.Of(Hex.Concat(Hex.Bytes("82 FE 01 2C 37 FA 21 3D"), Section5_4_MessageAssemblyTests.Masked(payload))), segmented.TakeOutput());
    }

    [Fact]
    public void Output_in_small_spans_carries_the_same_frame()
    {
        var connection = new ProtocolConnection(WebSocketRole.Client, Pump.Options(null, new ManualTime()));
        var output = new SmallSpans();

        connection.Send(output, Opcode.Binary, new ReadOnlySequence<byte>(Hex.Counting(40)));

        Assert.Equal(Hex.Of(Hex.Concat(Hex.Bytes("82 A8 37 FA 21 3D"), Section5_4_MessageAssemblyTests.Masked(Hex.Counting(40)))), Hex.Of(output.Written.ToArray()));
    }

    [Fact]
    public void Nothing_is_sent_after_our_close()
    {
        Pump pump = Pump.Server();
        pump.Connection.Close(pump.Output);
        pump.TakeOutput();

        Assert.False(pump.Connection.Send(pump.Output, Opcode.Text, "late"u8));
        Assert.False(pump.Connection.Send(pump.Output, Opcode.Binary, new ReadOnlySequence<byte>([1])));
        Assert.Equal("", pump.TakeOutput());
    }

    /// <summary>A writer whose spans are 16 bytes at most (beyond what GetSpan was asked for), as a pipe's segments end.</summary>
    private sealed class SmallSpans : IBufferWriter<byte>
    {
        private byte[] _span = [];

        public List<byte> Written { get; } = [];

        public void Advance(int count) => Written.AddRange(_span.AsSpan(0, count));

        public Memory<byte> GetMemory(int sizeHint = 0) => _span = new byte[Math.Max(sizeHint, 16) == 16 ? 16 : sizeHint];

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    }
}
