using System.Net;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// A stopping server still answers the requests it has read: an open among them is refused with 503, so a long-polling
/// client that reconnects after the shutdown's 1001 retries until the next server instead of getting a session that
/// ends with this one (and reconnecting twice for one restart).
/// </summary>
public sealed class LongPollingStopTests
{
    [Fact]
    public async Task An_open_whose_authentication_outlasts_the_start_of_a_stop_is_refused_with_503()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connected = 0;
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog);
        endpoint.OnConnected(_ =>
        {
            Interlocked.Increment(ref connected);
            return ValueTask.CompletedTask;
        });
        var server = new WebSocketServer(new WebSocketServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        server.Map("/chat", endpoint, new EndpointOptions
        {
            Authenticate = async _ =>
            {
                entered.TrySetResult();
                await gate.Task;
                return AuthenticationResult.Success("ada");
            },
        });
        server.Start();
        Task? stopping = null;
        try
        {
            using var raw = await RawClient.ConnectAsync(server.LocalEndPoint.Port);
            var open = raw.RequestAsync("POST", "/chat?transport=longpolling");
            await entered.Task.WaitAsync(TimeSpan.FromSeconds(20));

            // Stopping closes the long-polling sessions before anything else; the open above is read and in its hook.
            stopping = server.StopAsync();
            gate.SetResult();
            var answer = await open.WaitAsync(TimeSpan.FromSeconds(20));

            Assert.Equal(503, answer.Status);
            Assert.Contains("shutting down", answer.Text, StringComparison.Ordinal);
            Assert.NotNull(answer["Retry-After"]);
            Assert.Equal(0, server.LongPollingSessionCount);
            Assert.Equal(0, Volatile.Read(ref connected));
        }
        finally
        {
            gate.TrySetResult();
            await (stopping ?? server.StopAsync()).WaitAsync(TimeSpan.FromSeconds(20));
        }
    }
}
