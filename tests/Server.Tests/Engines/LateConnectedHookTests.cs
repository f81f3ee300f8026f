using System.Threading.Channels;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Server.Tests.Engines;

/// <summary>
/// A connection that ends while its connected hook still waits before claiming a name and joining a group: when the
/// hook goes on, its claim fails and its join does nothing, so the name is free and the group holds only live members.
/// </summary>
public sealed class LateConnectedHookTests
{
    [Fact]
    public async Task A_long_polling_session_that_expires_while_its_hook_waits_leaves_neither_name_nor_member_behind()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var claims = Channel.CreateUnbounded<(long Id, bool Claimed)>();
        var opened = 0;
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog);
        endpoint.OnConnected(async context =>
        {
            if (Interlocked.Increment(ref opened) == 1)
            {
                waiting.TrySetResult(context.ConnectionId);
                await gate.Task;
            }
            var claimed = await context.TrySetUniqueUserAsync("ada");
            await context.JoinGroupAsync("room");
            claims.Writer.TryWrite((context.ConnectionId, claimed));
        });
        endpoint.OnDisconnected((context, _) =>
        {
            ended.TrySetResult(context.ConnectionId);
            return ValueTask.CompletedTask;
        });
        var options = new WebSocketServerOptions
        {
            // A session nobody polls ends after this, connected hook or not: its client never got its token.
            LongPolling = new LongPollingOptions { HoldTime = TimeSpan.FromMilliseconds(200), IdleTimeout = TimeSpan.FromMilliseconds(500) },
        };
        await using var server = new TestServer(options, ("/chat", endpoint));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var open = http.PostAsync(new Uri($"http://127.0.0.1:{server.Server.LocalEndPoint.Port}/chat?transport=longpolling"), null);

        var late = await waiting.Task.WaitAsync(Eventually.DefaultBound);
        Assert.Equal(late, await ended.Task.WaitAsync(Eventually.DefaultBound));
        gate.SetResult();
        Assert.Equal((late, false), await claims.Reader.ReadAsync().AsTask().WaitAsync(Eventually.DefaultBound));
        (await open).Dispose();

        using var socket = await server.ConnectAsync("/chat");
        var (live, claimedAgain) = await claims.Reader.ReadAsync().AsTask().WaitAsync(Eventually.DefaultBound);
        Assert.True(claimedAgain);
        Assert.Equal([new Server.Engines.GroupMember(live, "ada")], await endpoint.GroupMembersAsync("room"));
        Assert.Equal(["ada"], await endpoint.UsersAsync());
    }
}
