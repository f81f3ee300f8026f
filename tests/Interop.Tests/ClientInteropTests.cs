using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Channels;
using Switchboard.Client;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Protocol.Compression;
using Switchboard.Protocol.Framing;
using Switchboard.Protocol.Handshake;
using Switchboard.Protocol.Connection;
using Switchboard.Testing;

namespace Switchboard.Interop.Tests;

/// <summary>Switchboard's own client (socket, TLS, handshake, codec) against servers nobody here wrote.</summary>
public class ClientInteropTests
{
    private static readonly int[] Sizes = [0, 1, 125, 126, 65535, 65536, 1 << 20];

    [Fact]
    public async Task Client_round_trips_with_python_websockets_server()
    {
        await using var server = await SampleProcess.StartProgramAsync("/usr/bin/python3", ["-B", RepoPaths.Peer("echo_server.py")], RepoPaths.Peers);
        await RoundTripAsync(server.WebSocketUri("/"), new WebSocketClientOptions());
    }

    [Fact]
    public async Task Client_round_trips_with_node_ws_server()
    {
        await using var server = await SampleProcess.StartProgramAsync("node", [RepoPaths.Peer("echo_server.mjs")], RepoPaths.Peers);
        await RoundTripAsync(server.WebSocketUri("/"), new WebSocketClientOptions());
    }

    [Fact]
    public async Task Client_round_trips_with_our_echo_sample()
    {
        await using var server = await SampleProcess.StartAsync("Echo");
        await RoundTripAsync(server.WebSocketUri("/any/path"), new WebSocketClientOptions());
    }

    [Fact]
    public async Task Client_speaks_wss_to_python_websockets_server_with_a_pinned_certificate()
    {
        var dir = Directory.CreateTempSubdirectory("switchboard-tls-");
        try
        {
            using var certificate = CreateSelfSignedCertificate();
            var certPath = Path.Combine(dir.FullName, "cert.pem");
            var keyPath = Path.Combine(dir.FullName, "key.pem");
            await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem());
            using (var key = certificate.GetRSAPrivateKey()!) await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());

            await using var server = await SampleProcess.StartProgramAsync("/usr/bin/python3",
                ["-B", RepoPaths.Peer("echo_server.py"), "--cert", certPath, "--key", keyPath], RepoPaths.Peers);
            var uri = new Uri($"wss://127.0.0.1:{server.Port}/");

            var pinned = certificate.GetCertHashString(HashAlgorithmName.SHA256);
            await RoundTripAsync(uri, new WebSocketClientOptions
            {
                RemoteCertificateValidation = (_, cert, _, _) => cert is not null && cert.GetCertHashString(HashAlgorithmName.SHA256) == pinned,
            });

            // The platform's validation refuses the self-signed certificate: the client must not fall back to trusting it.
            var untrusted = await Assert.ThrowsAsync<SwitchboardConnectionException>(
                () => WebSocketConnector.ConnectAsync(uri, new WebSocketClientOptions()));
            Assert.Equal(SwitchboardConnectionErrorKind.Unreachable, untrusted.Kind);
            Assert.IsType<System.Security.Authentication.AuthenticationException>(untrusted.InnerException);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Refused_upgrade_is_a_handshake_exception_with_the_status()
    {
        // Node ws, serving only /only, refuses other paths with 400.
        await using var server = await SampleProcess.StartProgramAsync("node", [RepoPaths.Peer("echo_server.mjs"), "--path", "/only"], RepoPaths.Peers);
        var error = await Assert.ThrowsAsync<SwitchboardConnectionException>(
            () => WebSocketConnector.ConnectAsync(server.WebSocketUri("/other")));
        Assert.Equal(SwitchboardConnectionErrorKind.HandshakeFailed, error.Kind);
        Assert.Equal(ClientHandshakeError.NotSwitchingProtocols, error.HandshakeError);
        Assert.Equal(400, error.StatusCode);

        // The path it serves works, over the same http:// form of the address.
        await RoundTripAsync(new Uri($"http://127.0.0.1:{server.Port}/only"), new WebSocketClientOptions());
    }

    [Fact]
    public async Task Client_with_deflate_round_trips_compressed_with_python_websockets_server()
    {
        await using var server = await SampleProcess.StartProgramAsync("/usr/bin/python3", ["-B", RepoPaths.Peer("echo_server.py")], RepoPaths.Peers);
        await RoundTripAsync(server.WebSocketUri("/"), DeflateClient(DeflateOptions.Default), deflate: true);
    }

    [Fact]
    public async Task Client_with_deflate_round_trips_compressed_with_node_ws_server()
    {
        await using var server = await SampleProcess.StartProgramAsync("node", [RepoPaths.Peer("echo_server.mjs"), "--deflate"], RepoPaths.Peers);
        await RoundTripAsync(server.WebSocketUri("/"), DeflateClient(DeflateOptions.Default), deflate: true);
    }

    [Fact]
    public async Task Client_with_deflate_and_context_takeover_round_trips_compressed_with_our_echo_sample()
    {
        await using var server = await SampleProcess.StartAsync("Echo");
        var deflate = new DeflateOptions { ServerNoContextTakeover = false, ClientNoContextTakeover = false, MinimumSize = 0 };
        await RoundTripAsync(server.WebSocketUri("/any/path"), DeflateClient(deflate), deflate: true);
    }

    // Random bytes grow a little when deflated: the 1 MiB random message comes back in a frame just over 1 MiB, so the
    // limits leave room for it.
    private static WebSocketClientOptions DeflateClient(DeflateOptions deflate) => new()
    {
        Deflate = deflate,
        Session = new WebSocketSessionOptions { Frames = new FrameReaderOptions { MaxFrameSize = 2 << 20, MaxMessageSize = 2 << 20 } },
    };

    private static async Task RoundTripAsync(Uri uri, WebSocketClientOptions options, bool deflate = false)
    {
        var session = await WebSocketConnector.ConnectAsync(uri, options);
        Assert.Equal(deflate, session.Deflate is not null);
        var received = Channel.CreateUnbounded<(Opcode, byte[])>();
        var run = session.RunAsync(message =>
        {
            received.Writer.TryWrite((message.Opcode, message.Payload.ToArray()));
            return ValueTask.CompletedTask;
        });

        var sent = new List<(Opcode, byte[])>();
        foreach (var size in Sizes)
        {
            var text = Encoding.UTF8.GetBytes(new string('a', size));
            var binary = RandomNumberGenerator.GetBytes(size);
            sent.Add((Opcode.Text, text));
            sent.Add((Opcode.Binary, binary));
        }
        sent.Add((Opcode.Text, Encoding.UTF8.GetBytes("multi-byte: héllo wörld ✓ 😀")));
        foreach (var (opcode, bytes) in sent) await session.SendAsync(opcode, new ReadOnlySequence<byte>(bytes));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        foreach (var (opcode, bytes) in sent)
        {
            var (gotOpcode, gotBytes) = await received.Reader.ReadAsync(timeout.Token);
            Assert.Equal(opcode, gotOpcode);
            Assert.True(bytes.AsSpan().SequenceEqual(gotBytes), $"{opcode} message of {bytes.Length} bytes came back as {gotBytes.Length} different bytes");
        }

        await session.CloseAsync(CloseCode.NormalClosure, "done");
        Assert.Equal(CloseCode.NormalClosure, await run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(ProtocolState.Closed, session.State);
    }

    private static X509Certificate2 CreateSelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
    }
}
