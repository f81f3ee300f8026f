using Switchboard.Client;
using Switchboard.Server;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Tests.Client;

public sealed class ClientDisposalTests
{
    [Fact]
    public async Task Disposing_a_connected_client_twice_closes_it_once_and_does_not_throw()
    {
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        endpoint.OnDisconnected((_, _) =>
        {
            ended.TrySetResult();
            return ValueTask.CompletedTask;
        });
        await using var server = new WebSocketServer(new WebSocketServerOptions { EndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0) });
        server.Map("/typed", endpoint);
        server.Start();
        var client = new SwitchboardClient(new Uri($"ws://127.0.0.1:{server.LocalEndPoint.Port}/typed"), SwitchboardMessages.Catalog);
        await client.ConnectAsync();

        await client.DisposeAsync();
        await client.DisposeAsync();

        Assert.Equal(ConnectionState.Closed, client.State);
        await ended.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
