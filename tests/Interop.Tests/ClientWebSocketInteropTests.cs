using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace Switchboard.Interop.Tests;

/// <summary>.NET's own <see cref="ClientWebSocket"/> against samples/Echo.</summary>
public sealed class ClientWebSocketInteropTests(EchoServerFixture echo) : IClassFixture<EchoServerFixture>
{
    private const int MaxMessage = 32 * Payloads.MiB;
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(90);

    public static TheoryData<int> Sizes => new() { 0, 1, 125, 126, 65535, 65536, Payloads.MiB, 16 * Payloads.MiB };

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Sizes))]
    public async Task Text_message_round_trips(int size)
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        using var ws = await ConnectAsync($"/interop/text/{size}", cts.Token);
        var payload = Payloads.Utf8Text(size, seed: size);

        await ws.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, cts.Token);
        var (type, echoed) = await ReceiveMessageAsync(ws, cts.Token);

        Assert.Equal(WebSocketMessageType.Text, type);
        AssertSameBytes(payload, echoed);
        await CloseNormallyAsync(ws, cts.Token);
    }

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Sizes))]
    public async Task Binary_message_round_trips(int size)
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        using var ws = await ConnectAsync($"/interop/binary/{size}", cts.Token);
        var payload = Payloads.Binary(size, seed: size);

        await ws.SendAsync(payload, WebSocketMessageType.Binary, endOfMessage: true, cts.Token);
        var (type, echoed) = await ReceiveMessageAsync(ws, cts.Token);

        Assert.Equal(WebSocketMessageType.Binary, type);
        AssertSameBytes(payload, echoed);
        await CloseNormallyAsync(ws, cts.Token);
    }

    [Fact(Timeout = 120_000)]
    public async Task Pipelined_messages_come_back_in_order_with_their_type()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        using var ws = await ConnectAsync("/interop/order", cts.Token);
        int[] sizes = [0, 1, 125, 126, 65535, 65536, 3 * Payloads.KiB, Payloads.MiB + 1, 7, 200_000];
        var messages = new List<(WebSocketMessageType Type, byte[] Bytes)>();
        for (var i = 0; i < 40; i++)
        {
            var size = sizes[i % sizes.Length];
            messages.Add(i % 2 == 0
                ? (WebSocketMessageType.Text, Payloads.Utf8Text(size, seed: 1000 + i))
                : (WebSocketMessageType.Binary, Payloads.Binary(size, seed: 1000 + i)));
        }

        // One sender and one receiver run at once, so many messages are in flight.
        var sending = Task.Run(async () =>
        {
            foreach (var (type, bytes) in messages) await ws.SendAsync(bytes, type, endOfMessage: true, cts.Token);
        }, cts.Token);

        for (var i = 0; i < messages.Count; i++)
        {
            var (type, echoed) = await ReceiveMessageAsync(ws, cts.Token);
            Assert.True(messages[i].Type == type, $"message {i}: sent {messages[i].Type}, echo is {type}");
            Assert.True(
                messages[i].Bytes.AsSpan().SequenceEqual(echoed),
                $"message {i}: echo differs (sent {messages[i].Bytes.Length} bytes, sha256 {Payloads.Sha256(messages[i].Bytes)}; " +
                $"got {echoed.Length} bytes, sha256 {Payloads.Sha256(echoed)})");
        }

        await sending;
        await CloseNormallyAsync(ws, cts.Token);
    }

    [Fact(Timeout = 120_000)]
    public async Task Fragmented_text_message_comes_back_whole()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        using var ws = await ConnectAsync("/interop/fragmented-text", cts.Token);
        var payload = Encoding.UTF8.GetBytes("fragments: 😀🎉 héllo 中文 — " + Payloads.Text(100_000, seed: 7));

        // Cut points on purpose fall inside a 4-byte emoji (bytes 11..14) and elsewhere: a message
        // need only be valid UTF-8 as a whole.
        int[] cuts = [0, 1, 12, 14, 40, 65_536, payload.Length];
        for (var i = 0; i + 1 < cuts.Length; i++)
        {
            var last = i + 2 == cuts.Length;
            await ws.SendAsync(payload.AsMemory(cuts[i]..cuts[i + 1]), WebSocketMessageType.Text, last, cts.Token);
        }

        var (type, echoed) = await ReceiveMessageAsync(ws, cts.Token);
        Assert.Equal(WebSocketMessageType.Text, type);
        AssertSameBytes(payload, echoed);
        await CloseNormallyAsync(ws, cts.Token);
    }

    [Fact(Timeout = 120_000)]
    public async Task Fragmented_binary_message_comes_back_whole_before_the_next_message()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        using var ws = await ConnectAsync("/interop/fragmented-binary", cts.Token);
        var payload = Payloads.Binary(300_000, seed: 8);
        var after = Payloads.Binary(10, seed: 9);

        foreach (var (start, end) in new[] { (0, 0), (0, 1), (1, 126), (126, 65_662), (65_662, 300_000) })
        {
            await ws.SendAsync(payload.AsMemory(start..end), WebSocketMessageType.Binary, endOfMessage: end == payload.Length, cts.Token);
        }

        await ws.SendAsync(after, WebSocketMessageType.Binary, endOfMessage: true, cts.Token);

        var (type, echoed) = await ReceiveMessageAsync(ws, cts.Token);
        Assert.Equal(WebSocketMessageType.Binary, type);
        AssertSameBytes(payload, echoed);
        var (nextType, next) = await ReceiveMessageAsync(ws, cts.Token);
        Assert.Equal(WebSocketMessageType.Binary, nextType);
        AssertSameBytes(after, next);
        await CloseNormallyAsync(ws, cts.Token);
    }

    [Fact(Timeout = 120_000)]
    public async Task Close_handshake_completes_with_1000_and_the_server_close_status_is_seen()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        using var ws = await ConnectAsync("/interop/close", cts.Token);
        await ws.SendAsync(Encoding.UTF8.GetBytes("before close"), WebSocketMessageType.Text, endOfMessage: true, cts.Token);
        var (_, echoed) = await ReceiveMessageAsync(ws, cts.Token);
        Assert.Equal("before close", Encoding.UTF8.GetString(echoed));

        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);

        Assert.Equal(WebSocketState.Closed, ws.State);
        // CloseStatus is what the server's close frame carried.
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
    }

    [Fact(Timeout = 120_000)]
    public async Task Close_output_first_then_the_server_close_frame_arrives()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        using var ws = await ConnectAsync("/interop/close-output", cts.Token);

        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
        var buffer = new byte[16];
        var result = await ws.ReceiveAsync(buffer, cts.Token);

        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, result.CloseStatus);
        Assert.Equal(WebSocketState.Closed, ws.State);
    }

    private async Task<ClientWebSocket> ConnectAsync(string path, CancellationToken cancellationToken)
    {
        var ws = new ClientWebSocket();
        try
        {
            await ws.ConnectAsync(echo.Uri(path), cancellationToken);
            return ws;
        }
        catch
        {
            ws.Dispose();
            throw;
        }
    }

    private static async Task<(WebSocketMessageType Type, byte[] Bytes)> ReceiveMessageAsync(WebSocket ws, CancellationToken cancellationToken)
    {
        var message = new ArrayBufferWriter<byte>();
        WebSocketMessageType? type = null;
        while (true)
        {
            var memory = message.GetMemory(64 * Payloads.KiB);
            var result = await ws.ReceiveAsync(memory, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"the server closed the connection ({ws.CloseStatus} {ws.CloseStatusDescription}) instead of echoing");
            }

            if (type is not null && type != result.MessageType)
            {
                throw new InvalidOperationException($"message type changed from {type} to {result.MessageType} within one message");
            }

            type = result.MessageType;
            message.Advance(result.Count);
            if (message.WrittenCount > MaxMessage) throw new InvalidOperationException("echo is larger than anything sent");
            if (result.EndOfMessage) return (type.Value, message.WrittenSpan.ToArray());
        }
    }

    private static async Task CloseNormallyAsync(ClientWebSocket ws, CancellationToken cancellationToken)
    {
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancellationToken);
        Assert.Equal(WebSocketState.Closed, ws.State);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
    }

    private static void AssertSameBytes(byte[] expected, byte[] actual)
    {
        Assert.True(
            expected.AsSpan().SequenceEqual(actual),
            $"echo differs: sent {expected.Length} bytes (sha256 {Payloads.Sha256(expected)}), got {actual.Length} bytes (sha256 {Payloads.Sha256(actual)})");
    }
}
