using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace Switchboard.Conformance.Tests;

/// <summary>
/// permessage-deflate in the manner of Autobahn sections 12 and 13: the Echo sample answers an offer, then echoes
/// many messages of many sizes, text and binary, compressed both ways, with and without context takeover and with
/// the client's window from 9 to 15 bits. The client is .NET's own WebSocket over a raw socket, so the offer is
/// written by hand and its deflate settings follow the server's answer.
/// </summary>
public sealed class CompressionConformanceTests(EchoServer echo) : IClassFixture<EchoServer>
{
    private const int MessagesPerSize = 10;

    private static readonly int[] s_sizes = [16, 64, 256, 1024, 4096, 8192, 16384, 32768, 65536, 131072];

    public static TheoryData<string, string, string> Offers => new()
    {
        // Autobahn 13.1 to 13.7: the offer, and the answer the Echo sample's defaults give.
        { "13.1", "permessage-deflate", "permessage-deflate; server_no_context_takeover; client_no_context_takeover" },
        { "13.2", "permessage-deflate; client_no_context_takeover", "permessage-deflate; server_no_context_takeover; client_no_context_takeover" },
        { "13.3", "permessage-deflate; client_max_window_bits=9", "permessage-deflate; server_no_context_takeover; client_no_context_takeover" },
        { "13.4", "permessage-deflate; client_max_window_bits=15", "permessage-deflate; server_no_context_takeover; client_no_context_takeover" },
        { "13.5", "permessage-deflate; client_max_window_bits", "permessage-deflate; server_no_context_takeover; client_no_context_takeover" },
        { "13.6", "permessage-deflate; server_max_window_bits=15; server_no_context_takeover",
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=15" },
        { "13.7", "permessage-deflate; server_max_window_bits=9, permessage-deflate; client_max_window_bits=\"12\"",
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover" },
    };

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Offers))]
    public async Task Messages_of_every_size_echo_compressed(string id, string offer, string answer)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        var (ws, extension) = await ConnectAsync(offer, cts.Token);
        using (ws)
        {
            Assert.True(answer == extension, $"{id}: answered '{extension}', expected '{answer}'");
            var random = new Random(id.GetHashCode(StringComparison.Ordinal));
            foreach (int size in s_sizes)
            {
                for (int i = 0; i < MessagesPerSize; i++)
                {
                    // Autobahn 12.x mixes compressible text with random binary.
                    bool text = i % 2 == 0;
                    byte[] payload = text ? Text(size, random) : new byte[size];
                    if (!text) random.NextBytes(payload);
                    var type = text ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
                    await ws.SendAsync(payload, type, endOfMessage: true, cts.Token);
                    var (echoedType, echoed) = await ReceiveAsync(ws, cts.Token);
                    Assert.True(type == echoedType && payload.AsSpan().SequenceEqual(echoed), $"{id}: {size}-byte message {i} came back different");
                }
            }

            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
            Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
        }
    }

    private async Task<(WebSocket Socket, string? Extension)> ConnectAsync(string offer, CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", echo.Port, cancellationToken);
        var stream = client.GetStream();
        string request = $"GET / HTTP/1.1\r\nHost: 127.0.0.1:{echo.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: {offer}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken);

        // Byte by byte, so nothing after the head is taken from the socket.
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !head.TakeLast(4).SequenceEqual("\r\n\r\n"u8.ToArray()))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0) throw new IOException("the server closed during the handshake");
            head.Add(one[0]);
        }

        string[] lines = Encoding.ASCII.GetString([.. head]).Split("\r\n");
        Assert.StartsWith("HTTP/1.1 101", lines[0], StringComparison.Ordinal);
        string? extension = lines.FirstOrDefault(l => l.StartsWith("Sec-WebSocket-Extensions:", StringComparison.OrdinalIgnoreCase))?[25..].Trim();
        WebSocketDeflateOptions? deflate = extension is null ? null : FromAnswer(extension, offer);
        var ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, DangerousDeflateOptions = deflate, KeepAliveInterval = TimeSpan.Zero });
        return (ws, extension);
    }

    // What the client must do after the answer: its window is what it offered, its context what the answer allows.
    private static WebSocketDeflateOptions FromAnswer(string answer, string offer)
    {
        // The accepted offer is the last one in these cases; a window it names bounds what the client compresses with.
        var bits = Regex.Match(offer[(offer.LastIndexOf(',') + 1)..], "client_max_window_bits=\"?([0-9]+)");
        int clientBits = bits.Success ? int.Parse(bits.Groups[1].Value, CultureInfo.InvariantCulture) : 15;
        return new WebSocketDeflateOptions
        {
            ClientMaxWindowBits = clientBits,
            ClientContextTakeover = !answer.Contains("client_no_context_takeover", StringComparison.Ordinal),
            ServerContextTakeover = !answer.Contains("server_no_context_takeover", StringComparison.Ordinal),
        };
    }

    private static byte[] Text(int size, Random random)
    {
        var text = new StringBuilder(size + 64);
        while (text.Length < size)
        {
            text.Append("{\"type\":\"chat\",\"user\":\"u").Append(random.Next(10)).Append("\",\"text\":\"hello ").Append(random.Next(1000)).Append("\"}");
        }

        return Encoding.ASCII.GetBytes(text.ToString(0, size));
    }

    private static async Task<(WebSocketMessageType Type, byte[] Bytes)> ReceiveAsync(WebSocket ws, CancellationToken cancellationToken)
    {
        var message = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await ws.ReceiveAsync(message.GetMemory(64 * 1024), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close) throw new InvalidOperationException($"closed: {ws.CloseStatus} {ws.CloseStatusDescription}");
            message.Advance(result.Count);
            if (result.EndOfMessage) return (result.MessageType, message.WrittenSpan.ToArray());
        }
    }
}
