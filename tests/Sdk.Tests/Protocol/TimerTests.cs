using Switchboard.Protocol.Connection;
using Xunit;

namespace Switchboard.Tests.Protocol;

/// <summary>
/// Keepalive (a ping after an interval of silence, a dead peer after a timeout of it) and the close timeout (section
/// 7.1.1), all driven by a manual clock through <see cref="ProtocolConnection.OnTimer"/>.
/// </summary>
public class TimerTests
{
    private static readonly ProtocolConnectionOptions Timers = new()
    {
        KeepAliveInterval = TimeSpan.FromSeconds(30),
        KeepAliveTimeout = TimeSpan.FromSeconds(10),
        CloseTimeout = TimeSpan.FromSeconds(5),
    };

    [Fact]
    public void Silent_peer_is_pinged_after_the_interval()
    {
        Pump pump = Pump.Server(Timers);
        Assert.Equal(TimeSpan.FromSeconds(30), pump.Connection.GetNextDeadline());

        pump.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(TimerOutcome.None, pump.Connection.OnTimer(pump.Output));
        Assert.Equal(TimeSpan.FromSeconds(1), pump.Connection.GetNextDeadline());
        pump.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(TimerOutcome.PingWritten, pump.Connection.OnTimer(pump.Output));
        Assert.Equal(Pump.Wire("89 00"), pump.TakeOutput());
        Assert.Equal(TimeSpan.FromSeconds(10), pump.Connection.GetNextDeadline());
    }

    [Fact]
    public void Client_keepalive_ping_is_masked()
    {
        Pump pump = Pump.Client(Timers);
        pump.Time.Advance(TimeSpan.FromSeconds(30));

        pump.Connection.OnTimer(pump.Output);

        Assert.Equal(Pump.Wire("89 80 37 FA 21 3D"), pump.TakeOutput());
    }

    [Fact]
    public void Anything_received_resets_the_interval()
    {
        Pump pump = Pump.Server(Timers);
        pump.Time.Advance(TimeSpan.FromSeconds(20));

        pump.Receive("8A 80 37 FA 21 3D"); // an unsolicited pong
        pump.Time.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal(TimerOutcome.None, pump.Connection.OnTimer(pump.Output));
        Assert.Equal(TimeSpan.FromSeconds(10), pump.Connection.GetNextDeadline());
    }

    [Fact]
    public void Peer_silent_after_the_ping_is_dead_after_the_timeout()
    {
        Pump pump = Pump.Server(Timers);
        pump.Time.Advance(TimeSpan.FromSeconds(30));
        pump.Connection.OnTimer(pump.Output);
        pump.TakeOutput();

        pump.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(TimerOutcome.None, pump.Connection.OnTimer(pump.Output));
        pump.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(TimerOutcome.KeepAliveTimedOut, pump.Connection.OnTimer(pump.Output));
        Assert.Equal(ProtocolState.Closed, pump.Connection.State);
        Assert.Equal("", pump.TakeOutput());
        Assert.Null(pump.Connection.GetNextDeadline());
    }

    [Fact]
    public void Any_byte_after_the_ping_keeps_the_peer_alive()
    {
        Pump pump = Pump.Server(Timers);
        pump.Time.Advance(TimeSpan.FromSeconds(30));
        pump.Connection.OnTimer(pump.Output);
        pump.Time.Advance(TimeSpan.FromSeconds(9));

        pump.Receive("81"); // the first byte of a frame
        pump.Time.Advance(TimeSpan.FromSeconds(9));

        Assert.Equal(TimerOutcome.None, pump.Connection.OnTimer(pump.Output));
        Assert.Equal(ProtocolState.Open, pump.Connection.State);
        Assert.Equal(TimeSpan.FromSeconds(21), pump.Connection.GetNextDeadline());
    }

    [Fact]
    public void Keepalive_off_sets_no_deadline()
    {
        Pump pump = Pump.Server(new ProtocolConnectionOptions { KeepAliveInterval = TimeSpan.Zero });
        pump.Time.Advance(TimeSpan.FromDays(1));

        Assert.Null(pump.Connection.GetNextDeadline());
        Assert.Equal(TimerOutcome.None, pump.Connection.OnTimer(pump.Output));
        Assert.Equal("", pump.TakeOutput());
    }

    [Fact]
    public void Unanswered_close_times_out()
    {
        Pump pump = Pump.Server(Timers);
        pump.Time.Advance(TimeSpan.FromSeconds(29));
        pump.Connection.Close(pump.Output);
        Assert.Equal(TimeSpan.FromSeconds(5), pump.Connection.GetNextDeadline()); // the close timeout replaces the keepalive

        pump.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(TimerOutcome.None, pump.Connection.OnTimer(pump.Output));
        pump.Receive("81 80 37 FA 21 3D"); // data does not answer a close
        pump.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(TimerOutcome.CloseTimedOut, pump.Connection.OnTimer(pump.Output));
        Assert.Equal(ProtocolState.Closed, pump.Connection.State);
        Assert.Equal(Pump.Wire("88 02 03 E8"), pump.TakeOutput()); // no ping after the close
    }

    [Fact]
    public void Answered_close_stops_the_close_timeout()
    {
        Pump pump = Pump.Server(Timers);
        pump.Connection.Close(pump.Output);

        pump.Receive("88 80 37 FA 21 3D");
        pump.Time.Advance(TimeSpan.FromSeconds(60));

        Assert.Null(pump.Connection.GetNextDeadline());
        Assert.Equal(TimerOutcome.None, pump.Connection.OnTimer(pump.Output));
        Assert.Equal(ProtocolState.Closed, pump.Connection.State);
    }

    [Fact]
    public void Overdue_deadline_is_zero()
    {
        Pump pump = Pump.Server(Timers);

        pump.Time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(TimeSpan.Zero, pump.Connection.GetNextDeadline());
    }

    [Fact]
    public void Options_refuse_nonsense()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProtocolConnectionOptions { CloseTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProtocolConnectionOptions { KeepAliveInterval = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProtocolConnectionOptions { KeepAliveTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentNullException>(() => new ProtocolConnectionOptions { TimeProvider = null! });
        Assert.Throws<ArgumentNullException>(() => new ProtocolConnectionOptions { MaskKeys = null! });
        Assert.Throws<ArgumentNullException>(() => new ProtocolConnectionOptions { Frames = null! });
    }
}
