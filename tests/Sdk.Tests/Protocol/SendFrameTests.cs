using Switchboard.Protocol;
using Switchboard.Protocol.Connection;
using Switchboard.Protocol.Framing;
using Switchboard.Tests.Framing;
using Xunit;

namespace Switchboard.Tests.Protocol;

/// <summary>
/// <see cref="ProtocolConnection.SendFrame"/>: a server writes a frame serialized once, as it is, under the same rules
/// as any message it sends (RFC 6455 sections 5.1, 5.2, 5.4 and 5.5.1).
/// </summary>
public class SendFrameTests
{
    [Fact]
    public void A_prepared_server_frame_goes_out_byte_for_byte()
    {
        Pump pump = Pump.Server();
        byte[] frame = Hex.Bytes("81 05 48 65 6C 6C 6F");

        Assert.True(pump.Connection.SendFrame(pump.Output, frame));

        Assert.Equal(Pump.Wire("81 05 48 65 6C 6C 6F"), pump.TakeOutput());
    }

    [Fact]
    public void A_prepared_binary_frame_with_a_16_bit_length_goes_out_as_it_is()
    {
        Pump pump = Pump.Server();
        byte[] frame = new byte[4 + 300];
        FrameWriter.WriteHeader(frame, fin: true, Opcode.Binary, 300);

        Assert.True(pump.Connection.SendFrame(pump.Output, frame));

        Assert.Equal(Hex.Of(frame), pump.TakeOutput());
    }

    [Fact]
    public void A_client_cannot_send_a_prepared_frame_because_each_of_its_frames_needs_a_fresh_mask()
    {
        Pump pump = Pump.Client();

        Assert.Throws<InvalidOperationException>(() => pump.Connection.SendFrame(pump.Output, Hex.Bytes("81 01 61")));
        Assert.Empty(pump.TakeOutput());
    }

    [Theory]
    [InlineData("01 01 61")] // not final: a fragment
    [InlineData("89 00")] // a ping: control frames are the connection's
    [InlineData("88 02 03 E8")] // a close: CloseAsync's
    [InlineData("C1 01 61")] // RSV1 set
    [InlineData("81 81 00 00 00 00 61")] // masked
    [InlineData("81 02 61")] // shorter than its header says
    [InlineData("81 01 61 62")] // longer: more than one frame
    [InlineData("81")] // no whole header
    [InlineData("")]
    public void Anything_but_one_whole_final_unmasked_data_frame_is_refused(string wire)
    {
        Pump pump = Pump.Server();

        Assert.Throws<ArgumentException>(() => pump.Connection.SendFrame(pump.Output, Hex.Bytes(wire)));
        Assert.Empty(pump.TakeOutput());
    }

    [Fact]
    public void A_prepared_frame_cannot_go_between_the_fragments_of_a_message()
    {
        Pump pump = Pump.Server();
        pump.Connection.Send(pump.Output, Opcode.Text, "a"u8, endOfMessage: false);
        pump.TakeOutput();

        Assert.Throws<InvalidOperationException>(() => pump.Connection.SendFrame(pump.Output, Hex.Bytes("81 01 62")));
        Assert.Empty(pump.TakeOutput());
    }

    [Fact]
    public void After_our_close_frame_a_prepared_frame_is_dropped()
    {
        Pump pump = Pump.Server();
        pump.Connection.Close(pump.Output);
        pump.TakeOutput();

        Assert.False(pump.Connection.SendFrame(pump.Output, Hex.Bytes("81 01 61")));
        Assert.Empty(pump.TakeOutput());
    }
}
