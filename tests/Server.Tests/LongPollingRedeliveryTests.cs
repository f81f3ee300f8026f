using System.Collections.Concurrent;
using Switchboard.Client;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// A poll answer lost on the network, end to end: the .NET client polls through a front that resets the connection
/// carrying one answer; the client asks again with the same acknowledgement and gets every message exactly once.
/// </summary>
public sealed class LongPollingRedeliveryTests
{
    private const int Messages = 10;

    [Fact]
    public async Task A_poll_answer_lost_in_flight_is_delivered_again_exactly_once()
    {
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog)
            .On<Route>((context, route) => context.Endpoint.All.SendAsync(new Note(context.RouteValues["name"], route.Seq)));
        await using var server = new TestServer(null, ("/ws/{name}", endpoint));
        await using var front = new TcpFront(server.Server.LocalEndPoint.Port);

        var received = new ConcurrentQueue<int>();
        var arrived = new Changes();
        await using var receiver = new SwitchboardClient(front.Uri("/ws/receiver"), SwitchboardMessages.Catalog,
            new SwitchboardClientOptions { Transport = SwitchboardTransport.LongPolling });
        receiver.On<Note>(note =>
        {
            if (note.From == "sender") received.Enqueue(note.Seq);
            arrived.Pulse();
        });
        await receiver.ConnectAsync();
        await using var sender = new SwitchboardClient(server.Uri("/ws/sender"), SwitchboardMessages.Catalog);
        sender.On<Note>(_ => { });
        await sender.ConnectAsync();

        front.CutNextResponseContaining("\"from\":\"sender\",\"seq\":5}");
        for (var seq = 0; seq < Messages; seq++)
        {
            await sender.SendAsync(new Route("all", null, seq));
            // One at a time: the cut answer holds just message 5, which must come again before 6 is sent.
            await arrived.UntilAsync(() => received.Count > seq, () => $"message {seq} arrived; {received.Count} did");
        }

        Assert.Equal(1, front.ResponsesCut);
        Assert.Equal(Enumerable.Range(0, Messages), received);
        // The same session all along: the client asked again rather than starting over.
        Assert.Equal(ConnectionState.Connected, receiver.State);
        Assert.Equal(1, server.Server.LongPollingSessionCount);
    }
}
