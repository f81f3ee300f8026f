using Switchboard.Protocol;
using Switchboard.Protocol.Connection;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Protocol;

/// <summary>RFC 6455 sections 5.5.1 and 7.1: the closing handshake from either side, and nothing after a close frame.</summary>
public class Section7_ClosingHandshakeTests
{
    private const string MaskedClose1000Bye = "88 85 37 FA 21 3D 34 12 43 44 52";

    [Fact]
    public void Peer_closes_first_and_its_code_is_echoed()
    {
        Pump pump = Pump.Server().Receive(MaskedClose1000Bye);

        Assert.Equal([Ev.Close(CloseCode.NormalClosure, "bye")], pump.Events);
        Assert.Equal(Pump.Wire("88 02 03 E8"), pump.TakeOutput());
        Assert.Equal(ProtocolState.CloseReceived, pump.Connection.State);
        Assert.Equal(CloseCode.NormalClosure, pump.Connection.PeerCloseStatus);
    }

    [Fact]
    public void Client_echoes_a_private_code_masked()
    {
        Pump pump = Pump.Client().Receive("88 02 0F A0"); // 4000

        Assert.Equal([Ev.Close((CloseCode)4000)], pump.Events);
        Assert.Equal(Pump.Wire("88 82 37 FA 21 3D 38 5A"), pump.TakeOutput());
    }

    [Fact]
    public void Empty_close_is_answered_with_an_empty_close()
    {
        Pump pump = Pump.Client().Receive("88 00");

        Assert.Equal([Ev.Close(null)], pump.Events);
        Assert.Equal(Pump.Wire("88 80 37 FA 21 3D"), pump.TakeOutput());
        Assert.Null(pump.Connection.PeerCloseStatus);
    }

    [Fact]
    public void Nothing_after_the_peers_close_is_read_answered_or_sent()
    {
        Pump pump = Pump.Client().Receive("88 02 03 E8  89 00  81 01 61  FF FF"); // then a ping, a text, and garbage
        pump.TakeOutput();

        Assert.Equal([Ev.Close(CloseCode.NormalClosure)], pump.Events);
        Assert.Equal(0, pump.Unconsumed); // discarded
        Assert.False(pump.Connection.Send(pump.Output, Opcode.Text, "late"u8));
        Assert.False(pump.Connection.Ping(pump.Output));
        Assert.False(pump.Connection.Close(pump.Output));
        Assert.Equal("", pump.TakeOutput());
    }

    [Fact]
    public void Peer_closes_in_the_middle_of_a_fragmented_message_which_is_dropped()
    {
        Pump pump = Pump.Client().Receive("01 01 61  88 02 03 E8  80 01 62");

        Assert.Equal([Ev.Close(CloseCode.NormalClosure)], pump.Events);
        Assert.Equal(ProtocolState.CloseReceived, pump.Connection.State);
    }

    [Fact]
    public void We_close_first_and_the_peers_answer_completes_the_handshake()
    {
        Pump pump = Pump.Server();

        Assert.True(pump.Connection.Close(pump.Output, CloseCode.NormalClosure, "bye"));
        Assert.Equal(Pump.Wire("88 05 03 E8 62 79 65"), pump.TakeOutput());
        Assert.Equal(ProtocolState.Closing, pump.Connection.State);

        pump.Receive("88 82 37 FA 21 3D 34 12");

        Assert.Equal([Ev.Close(CloseCode.NormalClosure)], pump.Events);
        Assert.Equal("", pump.TakeOutput()); // the answer is not answered
        Assert.Equal(ProtocolState.Closed, pump.Connection.State);
    }

    [Fact]
    public void Client_close_is_masked()
    {
        Pump pump = Pump.Client();

        pump.Connection.Close(pump.Output, CloseCode.NormalClosure, "bye");

        Assert.Equal(Pump.Wire(MaskedClose1000Bye), pump.TakeOutput());
    }

    [Fact]
    public void Data_the_peer_sends_after_our_close_is_read_and_dropped()
    {
        Pump pump = Pump.Server();
        pump.Connection.Close(pump.Output);
        pump.TakeOutput();

        pump.Receive("81 85 37 FA 21 3D 7F 9F 4D 51 58  01 81 37 FA 21 3D 56  80 81 37 FA 21 3D 55  8A 80 37 FA 21 3D");

        Assert.Equal([Ev.Pong([])], pump.Events);
        Assert.Equal(0, pump.Unconsumed);
        Assert.Equal("", pump.TakeOutput());
        Assert.Equal(ProtocolState.Closing, pump.Connection.State);
    }

    [Fact]
    public void A_violation_after_our_close_fails_without_a_second_close_frame()
    {
        Pump pump = Pump.Server();
        pump.Connection.Close(pump.Output);
        pump.TakeOutput();

        pump.Receive("C1 80 37 FA 21 3D"); // RSV1

        Assert.Equal([Ev.Failed(FrameError.ReservedBitsSet)], pump.Events);
        Assert.Equal("", pump.TakeOutput());
        Assert.Equal(ProtocolState.Closed, pump.Connection.State);
    }

    [Fact]
    public void Close_twice_writes_one_frame()
    {
        Pump pump = Pump.Server();

        Assert.True(pump.Connection.Close(pump.Output, CloseCode.GoingAway));
        Assert.False(pump.Connection.Close(pump.Output, CloseCode.NormalClosure));

        Assert.Equal(Pump.Wire("88 02 03 E9"), pump.TakeOutput());
    }

    [Theory]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(999)]
    [InlineData(5000)]
    public void Codes_never_sent_on_the_wire_are_refused(int code)
    {
        Pump pump = Pump.Server();

        Assert.Throws<ArgumentOutOfRangeException>(() => pump.Connection.Close(pump.Output, (CloseCode)code));
        Assert.Equal(ProtocolState.Open, pump.Connection.State);
    }

    [Fact]
    public void Long_reason_is_cut_to_fit_the_frame()
    {
        Pump pump = Pump.Server();

        pump.Connection.Close(pump.Output, CloseCode.NormalClosure, new string('x', 200));

        Assert.Equal(Pump.Wire("88 7D 03 E8") + string.Concat(Enumerable.Repeat("78", 123)), pump.TakeOutput());
    }

    [Fact]
    public void Abort_ends_without_a_frame()
    {
        Pump pump = Pump.Server();

        pump.Connection.Abort();

        Assert.Equal(ProtocolState.Closed, pump.Connection.State);
        Assert.Equal("", pump.TakeOutput());
        Assert.Null(pump.Connection.GetNextDeadline());
    }
}
