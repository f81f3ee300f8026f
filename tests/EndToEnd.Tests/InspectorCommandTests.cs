using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Switchboard.Client;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Testing;

namespace Switchboard.EndToEnd.Tests;

/// <summary>The Echo sample's inspector sockets from a .NET client: what a wrong command or a connection without its trace channel gets.</summary>
public sealed class InspectorCommandTests(InspectorEchoFixture inspector) : IClassFixture<InspectorEchoFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private SampleProcess Echo => inspector.Echo;

    [Theory]
    [InlineData("""{"command":"fragmented","kind":"text","size":0,"fragmentSize":1}""", "'size' must be a whole number from 1 to 1048576")]
    [InlineData("""{"command":"fragmented","kind":"text","size":1048576,"fragmentSize":1}""", "'fragmentSize' must be a whole number from 1049 to 1048576")]
    [InlineData("""{"command":"fragmented","kind":"json","size":10,"fragmentSize":1}""", "'kind' must be \"text\" or \"binary\", not \"json\"")]
    [InlineData("""{"command":"ping","payload":7}""", "'payload' must be a string")]
    [InlineData("""{"command":"jump"}""", "'command' must be \"ping\" or \"fragmented\", not \"jump\"")]
    [InlineData("""{"verb":"ping"}""", "'command' must be a string")]
    [InlineData("ping", "a command is a JSON object")]
    public async Task A_wrong_command_gets_an_error_event_naming_what_is_wrong(string command, string error)
    {
        var (session, events, run) = await OpenTraceAsync();

        await session.SendAsync(Opcode.Text, new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(command)));

        JsonElement reply = await NextAsync(events);
        Assert.Equal("error", reply.GetProperty("type").GetString());
        Assert.StartsWith(error, reply.GetProperty("message").GetString(), StringComparison.Ordinal);
        await session.CloseAsync();
        await run.WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_ping_without_an_inspected_connection_gets_an_error_event()
    {
        var (session, events, run) = await OpenTraceAsync();

        await session.SendAsync(Opcode.Text, new ReadOnlySequence<byte>("""{"command":"ping"}"""u8.ToArray()));

        Assert.Equal("no inspected connection to ping: reconnect first", (await NextAsync(events)).GetProperty("message").GetString());
        await session.CloseAsync();
        await run.WaitAsync(Timeout);
    }

    [Theory]
    [InlineData("/inspect")]
    [InlineData("/inspect?trace=0000000000000000")]
    public async Task An_inspected_connection_without_an_open_trace_channel_is_closed_with_1008(string path)
    {
        WebSocketSession session = await WebSocketConnector.ConnectAsync(Echo.WebSocketUri(path));
        Assert.Equal(CloseCode.PolicyViolation, await session.RunAsync(_ => ValueTask.CompletedTask).WaitAsync(Timeout));
    }

    /// <summary>Opens the trace socket and reads past its first event, the channel's id.</summary>
    private async Task<(WebSocketSession Session, Channel<string> Events, Task<CloseCode?> Run)> OpenTraceAsync()
    {
        WebSocketSession session = await WebSocketConnector.ConnectAsync(Echo.WebSocketUri("/inspect/trace"));
        var events = Channel.CreateUnbounded<string>();
        Task<CloseCode?> run = session.RunAsync(message =>
        {
            events.Writer.TryWrite(Encoding.UTF8.GetString(message.Payload));
            return ValueTask.CompletedTask;
        });
        JsonElement opened = await NextAsync(events);
        Assert.Equal("trace", opened.GetProperty("type").GetString());
        Assert.Matches("^[0-9A-F]{16}$", opened.GetProperty("id").GetString());
        return (session, events, run);
    }

    private static async Task<JsonElement> NextAsync(Channel<string> events)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        using var document = JsonDocument.Parse(await events.Reader.ReadAsync(timeout.Token));
        return document.RootElement.Clone();
    }
}
