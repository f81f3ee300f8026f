using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace Switchboard.Interop.Tests;

/// <summary>
/// permessage-deflate (RFC 7692) between .NET's <see cref="ClientWebSocket"/> with <see cref="WebSocketDeflateOptions"/>
/// and samples/Echo: the negotiated extension, then compressed messages both ways, whole and fragmented.
/// </summary>
public sealed class DeflateInteropTests(EchoServerFixture echo) : IClassFixture<EchoServerFixture>
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(90);

    public static TheoryData<int, bool> Sizes => new()
    {
        { 0, true }, { 100, true }, { 300, true }, { 200_000, true }, { Payloads.MiB, true },
        { 0, false }, { 300, false }, { 200_000, false },
    };

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Sizes))]
    public async Task Compressed_messages_round_trip(int size, bool clientContextTakeover)
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        using var ws = await ConnectAsync(new WebSocketDeflateOptions { ClientContextTakeover = clientContextTakeover }, cts.Token);
        // The server's defaults: no context kept either way, whatever the client offered.
        Assert.Equal("permessage-deflate; server_no_context_takeover; client_no_context_takeover", Extension(ws));

        for (var i = 0; i < 3; i++)
        {
            var text = Payloads.Utf8Text(size, seed: size + i);
            await ws.SendAsync(text, WebSocketMessageType.Text, endOfMessage: true, cts.Token);
            AssertSame(text, await ReceiveAsync(ws, WebSocketMessageType.Text, cts.Token));
            var binary = Payloads.Binary(size, seed: size + i);
            await ws.SendAsync(binary, WebSocketMessageType.Binary, endOfMessage: true, cts.Token);
            AssertSame(binary, await ReceiveAsync(ws, WebSocketMessageType.Binary, cts.Token));
        }

        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
    }

    [Fact(Timeout = 120_000)]
    public async Task Fragmented_compressed_message_comes_back_whole()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        using var ws = await ConnectAsync(new WebSocketDeflateOptions(), cts.Token);
        var payload = Encoding.UTF8.GetBytes("fragments: 😀🎉 héllo 中文 — " + Payloads.Text(200_000, seed: 7));

        int[] cuts = [0, 1, 12, 14, 40, 65_536, payload.Length];
        for (var i = 0; i + 1 < cuts.Length; i++)
        {
            await ws.SendAsync(payload.AsMemory(cuts[i]..cuts[i + 1]), WebSocketMessageType.Text, i + 2 == cuts.Length, cts.Token);
        }

        AssertSame(payload, await ReceiveAsync(ws, WebSocketMessageType.Text, cts.Token));
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
    }

    [Fact(Timeout = 120_000)]
    public async Task Offer_of_a_smaller_server_window_is_declined_and_messages_go_uncompressed()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        using var ws = await ConnectAsync(new WebSocketDeflateOptions { ServerMaxWindowBits = 10 }, cts.Token);

        Assert.Null(Extension(ws));
        var payload = Payloads.Utf8Text(5000, seed: 3);
        await ws.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, cts.Token);
        AssertSame(payload, await ReceiveAsync(ws, WebSocketMessageType.Text, cts.Token));
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
    }

    private async Task<ClientWebSocket> ConnectAsync(WebSocketDeflateOptions deflate, CancellationToken cancellationToken)
    {
        var ws = new ClientWebSocket();
        ws.Options.DangerousDeflateOptions = deflate;
        ws.Options.CollectHttpResponseDetails = true;
        try
        {
            await ws.ConnectAsync(echo.Uri("/interop/deflate"), cancellationToken);
            return ws;
        }
        catch
        {
            ws.Dispose();
            throw;
        }
    }

    private static string? Extension(ClientWebSocket ws) =>
        ws.HttpResponseHeaders?.TryGetValue("Sec-WebSocket-Extensions", out var values) == true ? string.Join(", ", values) : null;

    private static async Task<byte[]> ReceiveAsync(WebSocket ws, WebSocketMessageType expected, CancellationToken cancellationToken)
    {
        var message = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await ws.ReceiveAsync(message.GetMemory(64 * Payloads.KiB), cancellationToken);
            Assert.Equal(expected, result.MessageType);
            message.Advance(result.Count);
            if (result.EndOfMessage) return message.WrittenSpan.ToArray();
        }
    }

    private static void AssertSame(byte[] expected, byte[] actual) =>
        Assert.True(expected.AsSpan().SequenceEqual(actual),
            $"echo differs: sent {expected.Length} bytes (sha256 {Payloads.Sha256(expected)}), got {actual.Length} bytes (sha256 {Payloads.Sha256(actual)})");
}
