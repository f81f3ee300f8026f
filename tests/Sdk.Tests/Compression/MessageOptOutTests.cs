using System.Net.Sockets;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Protocol.Compression;
using Switchboard.Tests.Connections;
using Xunit;

namespace Switchboard.Tests.Compression;

/// <summary>A message type declared <c>[Message(..., Compress = false)]</c> leaves uncompressed on a connection that negotiated deflate.</summary>
public sealed partial class MessageOptOutTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly string s_text = string.Concat(Enumerable.Repeat("secret-and-guessable-text ", 40));
    private readonly LoopbackSockets _sockets = new();

    public void Dispose() => _sockets.Dispose();

    [Fact]
    public void The_declaration_reaches_the_encoded_message()
    {
        using var secret = EncodedMessage.Create(new SecretToken(s_text));
        using var chat = EncodedMessage.Create(new ChatLine(s_text));
        Assert.False(secret.Compress);
        Assert.True(chat.Compress);
    }

    [Fact]
    public async Task Opted_out_message_goes_with_RSV1_clear_and_the_next_message_compressed()
    {
        var (client, server) = await _sockets.ConnectAsync();
        var deflate = new DeflateParameters { ServerNoContextTakeover = true, ClientNoContextTakeover = true };
        var session = new WebSocketSession(1, new SocketTransport(server), WebSocketRole.Server, deflate: deflate);
        var run = session.RunAsync(_ => ValueTask.CompletedTask);

        using (var secret = EncodedMessage.Create(new SecretToken(s_text)))
        {
            await session.SendAsync(secret);
        }

        // The marker: a message of a type that may be compressed, sent after the secret.
        using (var chat = EncodedMessage.Create(new ChatLine(s_text)))
        {
            await session.SendAsync(chat);
        }

        using var timeout = new CancellationTokenSource(Timeout);
        var first = await ReadFrameAsync(client, timeout.Token);
        var second = await ReadFrameAsync(client, timeout.Token);
        Assert.Equal(0, first.Rsv);
        Assert.Contains(s_text, System.Text.Encoding.UTF8.GetString(first.Payload), StringComparison.Ordinal);
        Assert.Equal(4, second.Rsv);
        Assert.True(second.Payload.Length < first.Payload.Length / 4, $"{second.Payload.Length} compressed bytes for {first.Payload.Length}");

        session.Abort();
        await run.WaitAsync(Timeout);
    }

    // An unmasked server frame, parsed by hand since it may carry RSV1.
    private static async Task<(int Rsv, byte[] Payload)> ReadFrameAsync(Socket socket, CancellationToken cancellationToken)
    {
        var head = await ReadExactlyAsync(socket, 2, cancellationToken);
        int rsv = (head[0] >> 4) & 7;
        long length = head[1] & 0x7F;
        if (length == 126)
        {
            var extended = await ReadExactlyAsync(socket, 2, cancellationToken);
            length = (extended[0] << 8) | extended[1];
        }
        else if (length == 127)
        {
            var extended = await ReadExactlyAsync(socket, 8, cancellationToken);
            length = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(extended);
        }

        return (rsv, await ReadExactlyAsync(socket, (int)length, cancellationToken));
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket socket, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken);
            if (n == 0) throw new IOException($"the connection ended after {read} of {count} bytes");
            read += n;
        }

        return buffer;
    }

    [Message("compression.secret-token", Compress = false)]
    public partial record SecretToken(string Token);

    [Message("compression.chat-line")]
    public partial record ChatLine(string Text);
}
