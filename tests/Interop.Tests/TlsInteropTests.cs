using Switchboard.Connections;
using Switchboard.Protocol.Framing;
using Switchboard.Server;
using Switchboard.Server.WebSockets;
using Switchboard.Testing;

namespace Switchboard.Interop.Tests;

/// <summary>
/// The Python <c>websockets</c> library over wss:// against an in-process server with
/// <see cref="WebSocketServerOptions.Tls"/> set, trusting only the test's self-signed certificate.
/// </summary>
public sealed class PythonWebSocketsTlsInteropTests
{
    private const string Python = "/usr/bin/python3";
    private const long SixteenMiB = 16 * 1024 * 1024;

    [Fact(Timeout = 180_000)]
    public async Task Python_websockets_round_trips_over_wss_and_closes_1000()
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: run scripts/test.sh to install the test peers");
        await using var server = new WebSocketServer(new WebSocketServerOptions
        {
            Tls = TlsCertificate.ServerOptions(),
            Frames = new FrameReaderOptions { MaxFrameSize = SixteenMiB, MaxMessageSize = SixteenMiB },
            SendQueueLimit = 4 * SixteenMiB,
        });
        server.Map("/{*path}", new EchoBack());
        server.Start();
        var caFile = Path.Combine(Path.GetTempPath(), $"switchboard-test-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(caFile, TlsCertificate.Certificate.ExportCertificatePem());
        try
        {
            var result = await PeerProcess.RunAsync(
                Python,
                ["-B", RepoPaths.Peer("echo_client.py"), $"wss://127.0.0.1:{server.LocalEndPoint.Port}/interop/python-tls", caFile],
                RepoPaths.Peers,
                TimeSpan.FromSeconds(150));
            PeerAssert.Succeeded(result, "python-websockets/", Greeting.Utf8Bytes);
        }
        finally
        {
            File.Delete(caFile);
        }
    }

    private sealed class EchoBack : WebSocketHandler
    {
        public override ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message)
            => connection.SendAsync(message.Opcode, message.Payload);
    }
}
