using Switchboard.Protocol;
using Switchboard.Protocol.Connection;
using Switchboard.Protocol.Framing;
using Switchboard.Tests.Framing;
using Xunit;

namespace Switchboard.Tests.Protocol.Conformance;

/// <summary>
/// The conformance cases played against <see cref="ProtocolConnection"/> directly, with no socket: an echo
/// application over the state machine, the client's bytes delivered in one read, write by write, byte by byte, or
/// as random segments, and the server's output judged as the socket suite judges it.
/// </summary>
public class SocketlessConformanceTests
{
    public enum Delivery
    {
        OneRead,
        AsWritten,
        Bytewise,
        RandomSegments,
    }

    public static TheoryData<string, Delivery> Cases()
    {
        var data = new TheoryData<string, Delivery>();
        foreach (string id in SocketlessCases.Ids)
        {
            foreach (Delivery delivery in Enum.GetValues<Delivery>())
            {
                // Byte by byte only where the frames are small, as the socket suite does.
                if (delivery != Delivery.Bytewise || SocketlessCases.Get(id).Writes.Sum(w => w.Length) <= 2048)
                {
                    data.Add(id, delivery);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Autobahn(string id, Delivery delivery)
    {
        SocketlessCase c = SocketlessCases.Get(id);
        Pump server = Pump.Server();
        server.OnEvent = static (pump, e) =>
        {
            if (e.Kind == ProtocolEventKind.Message)
            {
                pump.Connection.Send(pump.Output, e.Opcode, e.Payload);
            }
        };
        var random = new Random(id.Length * 7919);

        for (int i = 0; i < c.Writes.Count; i++)
        {
            if (server.Connection.State is ProtocolState.CloseReceived or ProtocolState.Closed)
            {
                break; // like Autobahn, the client goes on only while the connection is open
            }

            byte[] write = c.Writes[i];
            _ = delivery switch
            {
                Delivery.OneRead when i > 0 => server,
                Delivery.OneRead => server.Receive([.. c.Writes.SelectMany(w => w)]),
                Delivery.AsWritten => server.Receive(write),
                Delivery.Bytewise => server.ReceiveBytewise(write),
                _ => server.Receive(write, m => TestSegment.Random(m, random)),
            };

            if (c.FailsAfterWrite is int fails && delivery != Delivery.OneRead)
            {
                bool failed = server.Events.Any(e => e.Kind == ProtocolEventKind.Failed);
                Assert.True(failed == (i >= fails), $"after write {i} the server has{(failed ? "" : " not")} failed");
            }
        }

        if (!c.ServerFails && server.Connection.State == ProtocolState.Open)
        {
            server.Receive(ClientFrames.Close(1000));
        }

        Assert.True(server.Connection.State is ProtocolState.CloseReceived or ProtocolState.Closed, $"the server is {server.Connection.State}");
        if (c.ServerFails)
        {
            Assert.Contains(server.Events, e => e.Kind == ProtocolEventKind.Failed);
        }

        Transcript output = ReaderDriver.ReadWhole(server.Output.WrittenSpan.ToArray(), WebSocketRole.Client);
        Assert.Equal(FrameError.None, output.Error);
        Assert.Equal(server.Output.WrittenCount, output.Consumed);
        Assert.NotEmpty(output.Items);
        ReadItem close = output.Items[^1];
        Assert.Equal(Opcode.Close, close.Opcode);
        Assert.Contains((int?)close.Status, c.Codes);
        Assert.Equal(c.Replies, output.Items[..^1]);
    }
}
