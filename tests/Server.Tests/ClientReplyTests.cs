using System.Threading.Channels;
using Switchboard.Client;
using Switchboard.Messaging;
using Switchboard.Server.WebSockets;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// How <see cref="SwitchboardClient"/> takes replies from a raw server that sends whatever it is told to (and echoes
/// what it gets): a reply nobody waits for is ignored, a reply of the wrong type fails the request.
/// </summary>
public sealed class ClientReplyTests : IAsyncLifetime
{
    private readonly RecordingEchoHandler _raw = new();
    private readonly Channel<object> _received = Channel.CreateUnbounded<object>();
    private readonly Channel<ClientErrorEventArgs> _errors = Channel.CreateUnbounded<ClientErrorEventArgs>();
    private TestServer _server = null!;
    private SwitchboardClient _client = null!;
    private WebSocketConnection _connection = null!;

    public async Task InitializeAsync()
    {
        _server = new TestServer(null, ("/raw", _raw));
        _client = new SwitchboardClient(_server.Uri("/raw"), SwitchboardMessages.Catalog, new SwitchboardClientOptions { RequestTimeout = TimeSpan.FromSeconds(20) });
        _client.On<Note>(note => _received.Writer.TryWrite(note));
        _client.On<SumResult>(result => _received.Writer.TryWrite(result));
        _client.Error += (_, e) => _errors.Writer.TryWrite(e);
        await _client.ConnectAsync();
        _connection = await _raw.Connected.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Reply_with_an_unknown_id_is_ignored()
    {
        await _connection.SendTextAsync("""{"type":"test.sum.result","id":"r999","data":{"total":1}}""");
        await _connection.SendTextAsync("""{"type":"test.note","data":{"from":"marker","seq":1}}""");

        // The marker came after the stray reply, which reached neither a handler nor the Error event.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal(new Note("marker", 1), await _received.Reader.ReadAsync(timeout.Token));
        Assert.False(_errors.Reader.TryRead(out var error), $"no error expected, got {error?.Kind}");
        Assert.Equal(ConnectionState.Connected, _client.State);
    }

    [Fact]
    public async Task Reply_that_is_neither_the_response_nor_a_declared_error_fails_the_request()
    {
        // The raw server echoes the request itself back, with its id.
        var failed = await Assert.ThrowsAsync<RequestFailedException>(() => _client.RequestAsync(new Sum(1, 2)));
        Assert.Equal(RequestFailure.InvalidReply, failed.Code);
        Assert.Contains("test.sum", failed.Message, StringComparison.Ordinal);
    }
}
