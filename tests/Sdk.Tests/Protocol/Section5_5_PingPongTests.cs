using System.Buffers;
using Switchboard.Protocol.Connection;
using Xunit;

namespace Switchboard.Tests.Protocol;

/// <summary>RFC 6455 sections 5.5.2 and 5.5.3: every ping is answered with a pong carrying its payload; pongs are reported, never answered.</summary>
public class Section5_5_PingPongTests
{
    [Fact]
    public void Server_answers_a_masked_ping_with_an_unmasked_pong()
    {
        Pump pump = Pump.Server().Receive("89 85 37 FA 21 3D 7F 9F 4D 51 58"); // section 5.7: ping "Hello"

        Assert.Equal([Ev.Ping("Hello"u8)], pump.Events);
        Assert.Equal(Pump.Wire("8A 05 48 65 6C 6C 6F"), pump.TakeOutput());
    }

    [Fact]
    public void Client_answers_an_unmasked_ping_with_a_masked_pong()
    {
        Pump pump = Pump.Client().Receive("89 05 48 65 6C 6C 6F");

        Assert.Equal(Pump.Wire("8A 85 37 FA 21 3D 7F 9F 4D 51 58"), pump.TakeOutput()); // section 5.7's masked pong
    }

    [Fact]
    public void Empty_and_125_byte_pings_are_echoed()
    {
        byte[] payload = Framing.Hex.Counting(125);

        Pump pump = Pump.Client().Receive(Framing.Hex.Concat(Framing.Hex.Bytes("89 00 89 7D"), payload));

        Assert.Equal([Ev.Ping([]), Ev.Ping(payload)], pump.Events);
        Assert.Equal(Framing.Hex.Of([0x8A, 0x80, 0x37, 0xFA, 0x21, 0x3D, 0x8A, 0xFD, 0x37, 0xFA, 0x21, 0x3D, .. Section5_4_MessageAssemblyTests.Masked(payload)]),
            pump.TakeOutput());
    }

    [Fact]
    public void Each_ping_is_answered_in_order()
    {
        Pump pump = Pump.Server().Receive(Framing.Hex.Concat(
            Framing.Hex.Bytes("89 81 37 FA 21 3D 06"), // "1"
            Framing.Hex.Bytes("89 81 37 FA 21 3D 05"))); // "2"

        Assert.Equal(Pump.Wire("8A 01 31  8A 01 32"), pump.TakeOutput());
    }

    [Fact]
    public void Pong_is_reported_and_not_answered()
    {
        Pump pump = Pump.Client().Receive("8A 03 61 62 63");

        Assert.Equal([Ev.Pong("abc"u8)], pump.Events);
        Assert.Equal("", pump.TakeOutput());
    }

    [Fact]
    public void While_the_output_is_backed_up_only_the_latest_ping_is_answered_once_it_drains()
    {
        Pump pump = Pump.Client();
        pump.Connection.OnOutputBackedUp();

        pump.Receive("89 01 31  89 01 32  89 01 33");

        Assert.Equal([Ev.Ping("1"u8), Ev.Ping("2"u8), Ev.Ping("3"u8)], pump.Events);
        Assert.Equal("", pump.TakeOutput());
        Assert.True(pump.Connection.OnOutputDrained(pump.Output));
        Assert.Equal(Pump.Wire("8A 81 37 FA 21 3D 04"), pump.TakeOutput()); // pong "3"
        Assert.False(pump.Connection.OnOutputDrained(pump.Output));
        Assert.False(pump.Connection.IsOutputBackedUp);
    }

    [Fact]
    public void Each_drain_writes_the_answer_kept_since_the_last_one()
    {
        Pump pump = Pump.Server();
        pump.Connection.OnOutputBackedUp();
        pump.Receive("89 81 37 FA 21 3D 06"); // "1", kept
        var drained = new ArrayBufferWriter<byte>();
        pump.Connection.OnOutputDrained(drained); // the pump drains into another buffer: "1" goes there
        pump.Connection.OnOutputBackedUp();
        pump.Receive("89 81 37 FA 21 3D 05"); // "2", kept
        pump.Connection.OnOutputDrained(drained);
        pump.Receive("89 81 37 FA 21 3D 04"); // "3", answered at once

        Assert.False(pump.Connection.OnOutputDrained(pump.Output));
        Assert.Equal(Pump.Wire("8A 01 31  8A 01 32"), Framing.Hex.Of(drained.WrittenSpan));
        Assert.Equal(Pump.Wire("8A 01 33"), pump.TakeOutput());
    }

    [Fact]
    public void A_kept_pong_is_dropped_when_the_connection_closes()
    {
        Pump pump = Pump.Server();
        pump.Connection.OnOutputBackedUp();
        pump.Receive("89 81 37 FA 21 3D 06");

        Assert.True(pump.Connection.Close(pump.Output));

        Assert.False(pump.Connection.OnOutputDrained(pump.Output));
        Assert.Equal(Pump.Wire("88 02 03 E8"), pump.TakeOutput());
    }

    [Fact]
    public void Ping_after_our_close_is_reported_but_not_answered()
    {
        Pump pump = Pump.Server();
        pump.Connection.Close(pump.Output);
        pump.TakeOutput();

        pump.Receive("89 81 37 FA 21 3D 06");

        Assert.Equal([Ev.Ping("1"u8)], pump.Events);
        Assert.Equal("", pump.TakeOutput());
    }

    [Fact]
    public void Application_ping_is_written_and_refused_after_close()
    {
        Pump pump = Pump.Client();

        Assert.True(pump.Connection.Ping(pump.Output, "Hello"u8));
        Assert.Equal(Pump.Wire("89 85 37 FA 21 3D 7F 9F 4D 51 58"), pump.TakeOutput());
        Assert.Throws<ArgumentException>(() => pump.Connection.Ping(pump.Output, new byte[126]));
        pump.Connection.Close(pump.Output);
        pump.TakeOutput();
        Assert.False(pump.Connection.Ping(pump.Output));
        Assert.Equal("", pump.TakeOutput());
    }
}
