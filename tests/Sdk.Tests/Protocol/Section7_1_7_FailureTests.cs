using Switchboard.Protocol;
using Switchboard.Protocol.Connection;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Protocol;

/// <summary>
/// RFC 6455 sections 7.1.7 and 7.4.1: a peer that breaks the protocol gets our close frame with the status that says
/// why (1002, 1007, 1008, 1009), and nothing more of what it sends is processed. Limits are checked from headers.
/// </summary>
public class Section7_1_7_FailureTests
{
    public static TheoryData<string, FrameError, CloseCode> Violations => new()
    {
        { "C1 80 37 FA 21 3D", FrameError.ReservedBitsSet, CloseCode.ProtocolError },
        { "83 80 37 FA 21 3D", FrameError.ReservedOpcode, CloseCode.ProtocolError },
        { "8B 80 37 FA 21 3D", FrameError.ReservedOpcode, CloseCode.ProtocolError },
        { "09 80 37 FA 21 3D", FrameError.ControlFrameFragmented, CloseCode.ProtocolError },
        { "89 FE 00 7E", FrameError.ControlFrameTooLong, CloseCode.ProtocolError },
        { "81 05 48 65 6C 6C 6F", FrameError.UnmaskedClientFrame, CloseCode.ProtocolError },
        { "82 FE 00 05", FrameError.NonMinimalLength, CloseCode.ProtocolError },
        { "82 FF 80 00 00 00 00 00 00 00", FrameError.PayloadLengthTopBitSet, CloseCode.ProtocolError },
        { "88 81 37 FA 21 3D 34", FrameError.InvalidClosePayload, CloseCode.ProtocolError },
        { "88 82 37 FA 21 3D 34 17", FrameError.InvalidCloseCode, CloseCode.ProtocolError }, // 1005
        { "88 83 37 FA 21 3D 34 12 E1", FrameError.InvalidCloseReason, CloseCode.InvalidPayloadData }, // 1000, reason C0
        { "81 81 37 FA 21 3D C8", FrameError.InvalidUtf8, CloseCode.InvalidPayloadData }, // FF
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public void Violation_is_answered_with_its_close_code_and_nothing_after_it_is_read(string wire, FrameError error, CloseCode code)
    {
        Pump pump = Pump.Server().Receive(Framing.Hex.Concat(Framing.Hex.Bytes(wire), Framing.Hex.Bytes("89 80 37 FA 21 3D")));

        Assert.Equal([Ev.Failed(error)], pump.Events);
        Assert.Equal(Section5_4_MessageAssemblyTests.CloseFrame(WebSocketRole.Server, code, error), pump.TakeOutput());
        Assert.Equal(ProtocolState.Closed, pump.Connection.State);
        Assert.Equal(error, pump.Connection.Error);
        Assert.Equal(0, pump.Unconsumed);
        pump.Receive("89 80 37 FA 21 3D");
        Assert.Single(pump.Events);
        Assert.Equal("", pump.TakeOutput());
    }

    [Fact]
    public void Protocol_error_close_frame_literally()
    {
        Pump pump = Pump.Server().Receive("C1 80 37 FA 21 3D");

        // 1002, "Reserved bits set without a negotiated extension"
        Assert.Equal(
            Pump.Wire("88 32 03 EA 52 65 73 65 72 76 65 64 20 62 69 74 73 20 73 65 74 20 77 69 74 68 6F 75 74 20 61 20 6E 65 67 6F 74 69 61 74 65 64 20 65 78 74 65 6E 73 69 6F 6E"),
            pump.TakeOutput());
    }

    [Fact]
    public void Masked_frame_to_a_client_fails_with_1002()
    {
        Pump pump = Pump.Client().Receive("81 85 37 FA 21 3D 7F 9F 4D 51 58");

        Assert.Equal([Ev.Failed(FrameError.MaskedServerFrame)], pump.Events);
        Assert.Equal(Section5_4_MessageAssemblyTests.CloseFrame(WebSocketRole.Client, CloseCode.ProtocolError, FrameError.MaskedServerFrame), pump.TakeOutput());
    }

    [Fact]
    public void Frame_over_MaxFrameSize_fails_with_1009_from_its_header()
    {
        var options = new ProtocolConnectionOptions { Frames = new FrameReaderOptions { MaxFrameSize = 100 } };

        Pump pump = Pump.Client(options).Receive("82 65"); // 101 bytes declared, none present

        Assert.Equal([Ev.Failed(FrameError.FrameTooBig)], pump.Events);
        Assert.Equal(Section5_4_MessageAssemblyTests.CloseFrame(WebSocketRole.Client, CloseCode.MessageTooBig, FrameError.FrameTooBig), pump.TakeOutput());
    }

    [Fact]
    public void Frame_of_exactly_MaxFrameSize_is_accepted()
    {
        var options = new ProtocolConnectionOptions { Frames = new FrameReaderOptions { MaxFrameSize = 100 } };

        Pump pump = Pump.Client(options).Receive([0x82, 100, .. new byte[100]]);

        Assert.Equal([Ev.Binary(new byte[100])], pump.Events);
    }

    [Fact]
    public void Message_over_MaxMessageSize_fails_with_1009_at_the_header_of_the_fragment_past_it()
    {
        var options = new ProtocolConnectionOptions { Frames = new FrameReaderOptions { MaxMessageSize = 10 } };

        Pump pump = Pump.Client(options).Receive("01 05 61 62 63 64 65  00 05 61 62 63 64 65  80 01"); // 11th byte declared

        Assert.Equal([Ev.Failed(FrameError.MessageTooBig)], pump.Events);
        Assert.Equal(Section5_4_MessageAssemblyTests.CloseFrame(WebSocketRole.Client, CloseCode.MessageTooBig, FrameError.MessageTooBig), pump.TakeOutput());
    }

    [Fact]
    public void Message_of_exactly_MaxMessageSize_is_accepted()
    {
        var options = new ProtocolConnectionOptions { Frames = new FrameReaderOptions { MaxMessageSize = 10 } };

        Pump pump = Pump.Client(options).Receive("01 05 61 62 63 64 65  80 05 61 62 63 64 65");

        Assert.Equal([Ev.Text("abcdeabcde")], pump.Events);
    }

    [Fact]
    public void Message_in_more_than_MaxFragments_frames_fails_with_1008()
    {
        var options = new ProtocolConnectionOptions { Frames = new FrameReaderOptions { MaxFragments = 3 } };

        Pump ok = Pump.Client(options).Receive("01 01 61  00 01 62  80 01 63");
        Pump tooMany = Pump.Client(options).Receive("01 01 61  00 01 62  00 01 63  80 00");

        Assert.Equal([Ev.Text("abc")], ok.Events);
        Assert.Equal([Ev.Failed(FrameError.TooManyFragments)], tooMany.Events);
        Assert.Equal(Section5_4_MessageAssemblyTests.CloseFrame(WebSocketRole.Client, CloseCode.PolicyViolation, FrameError.TooManyFragments), tooMany.TakeOutput());
    }
}
