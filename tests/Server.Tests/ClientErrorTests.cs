using System.Threading.Channels;
using Switchboard.Client;
using Switchboard.Server.WebSockets;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// SwitchboardClient's <see cref="SwitchboardClient.Error"/> event against a raw server that sends whatever text it is
/// told to: every undeliverable message raises Error with its kind, and the connection lives on. The client's catalogue
/// is this assembly's; it handles <see cref="Note"/> only, so <see cref="Route"/> is known but unhandled.
/// </summary>
public sealed class ClientErrorTests : IAsyncLifetime
{
    private readonly RecordingEchoHandler _raw = new();
    private readonly Channel<ClientErrorEventArgs> _errors = Channel.CreateUnbounded<ClientErrorEventArgs>();
    private readonly Channel<Note> _notes = Channel.CreateUnbounded<Note>();
    private TestServer _server = null!;
    private SwitchboardClient _client = null!;
    private WebSocketConnection _connection = null!;

    public async Task InitializeAsync()
    {
        _server = new TestServer(null, ("/raw", _raw));
        _client = new SwitchboardClient(_server.Uri("/raw"), SwitchboardMessages.Catalog);
        _client.Error += (_, e) => _errors.Writer.TryWrite(e);
        _client.On<Note>(note =>
        {
            if (note.From == "throw") throw new InvalidOperationException("handler failure on purpose");
            _notes.Writer.TryWrite(note);
        });
        await _client.ConnectAsync();
        _connection = await _raw.Connected.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("not json", ClientErrorKind.MalformedEnvelope, null)]
    [InlineData("""{"type":"test.note"}""", ClientErrorKind.MalformedEnvelope, null)]
    [InlineData("""{"type":"no.such.thing","data":{}}""", ClientErrorKind.UnknownType, "no.such.thing")]
    [InlineData("""{"type":"test.route","data":{"target":"x","name":null,"seq":1}}""", ClientErrorKind.NoHandler, "test.route")]
    [InlineData("""{"type":"test.note","data":{"from":5,"seq":1}}""", ClientErrorKind.InvalidMessage, "test.note")]
    [InlineData("""{"type":"test.note","data":{"from":"x"}}""", ClientErrorKind.InvalidMessage, "test.note")]
    [InlineData("""{"type":"test.note","data":{"from":"throw","seq":1}}""", ClientErrorKind.HandlerFailed, "test.note")]
    public async Task Undeliverable_message_raises_Error_with_its_kind_and_the_connection_lives_on(string text, ClientErrorKind kind, string? type)
    {
        await _connection.SendTextAsync(text);
        var error = await NextAsync(_errors);
        Assert.Equal((kind, type), (error.Kind, error.MessageType));
        Assert.False(string.IsNullOrEmpty(error.Detail));

        await _connection.SendTextAsync("""{"type":"test.note","data":{"from":"after","seq":2}}""");
        Assert.Equal(new Note("after", 2), await NextAsync(_notes));
        Assert.Equal(ConnectionState.Connected, _client.State);
        Assert.False(_errors.Reader.TryRead(out var extra), $"one error expected, also got {extra?.Kind}");
    }

    [Fact]
    public async Task Error_carries_the_exception_behind_it()
    {
        await _connection.SendTextAsync("""{"type":"test.note","data":{"from":5,"seq":1}}""");
        var invalid = Assert.IsType<MessageFormatException>((await NextAsync(_errors)).Exception);
        Assert.Equal(("test.note", "data.from"), (invalid.MessageType, invalid.Path));

        await _connection.SendTextAsync("""{"type":"test.note","data":{"from":"throw","seq":1}}""");
        var failed = Assert.IsType<InvalidOperationException>((await NextAsync(_errors)).Exception);
        Assert.Equal("handler failure on purpose", failed.Message);

        await _connection.SendTextAsync("""{"type":"no.such.thing","data":{}}""");
        Assert.Null((await NextAsync(_errors)).Exception);
    }

    [Fact]
    public async Task Binary_message_is_a_malformed_envelope_and_the_connection_lives_on()
    {
        await _connection.SendAsync(Protocol.Opcode.Binary, new byte[] { 1, 2, 3 });
        Assert.Equal(ClientErrorKind.MalformedEnvelope, (await NextAsync(_errors)).Kind);
        await _connection.SendTextAsync("""{"type":"test.note","data":{"from":"after","seq":3}}""");
        Assert.Equal(new Note("after", 3), await NextAsync(_notes));
    }

    [Fact]
    public async Task Disposing_the_only_handler_makes_its_type_unhandled_not_unknown()
    {
        var raw = new RecordingEchoHandler();
        await using var server = new TestServer(null, ("/raw", raw));
        await using var client = new SwitchboardClient(server.Uri("/raw"), SwitchboardMessages.Catalog);
        var errors = Channel.CreateUnbounded<ClientErrorEventArgs>();
        client.Error += (_, e) => errors.Writer.TryWrite(e);
        client.On<Note>(_ => { }).Dispose();
        await client.ConnectAsync();

        var connection = await raw.Connected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await connection.SendTextAsync("""{"type":"test.note","data":{"from":"x","seq":1}}""");
        Assert.Equal((ClientErrorKind.NoHandler, "test.note"), (await NextAsync(errors)) is var e ? (e.Kind, e.MessageType) : default);
    }

    [Fact]
    public void On_a_type_outside_the_catalogue_throws_naming_the_type_and_its_wire_name()
    {
        var routesOnly = new MessageCatalog(SwitchboardMessages.Catalog.Messages.Where(m => m.Type == Route.MessageType));
        var client = new SwitchboardClient(_server.Uri("/raw"), routesOnly);

        var error = Assert.Throws<InvalidOperationException>(() => client.On<Note>(_ => { }));
        Assert.Contains(typeof(Note).FullName!, error.Message, StringComparison.Ordinal);
        Assert.Contains("'test.note'", error.Message, StringComparison.Ordinal);
        client.On<Route>(_ => { }).Dispose(); // in the catalogue: fine
        Assert.Same(routesOnly, client.Catalog);
    }

    [Fact]
    public void Client_requires_a_catalogue_and_non_negative_delays()
    {
        Assert.Throws<ArgumentNullException>(() => new SwitchboardClient(_server.Uri("/raw"), null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SwitchboardClient(_server.Uri("/raw"), SwitchboardMessages.Catalog,
            new SwitchboardClientOptions { ReconnectInitialDelay = TimeSpan.FromMilliseconds(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SwitchboardClient(_server.Uri("/raw"), SwitchboardMessages.Catalog,
            new SwitchboardClientOptions { ReconnectMaxDelay = TimeSpan.FromMilliseconds(-1) }));
    }

    private static async Task<T> NextAsync<T>(Channel<T> channel)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await channel.Reader.ReadAsync(timeout.Token);
    }
}
