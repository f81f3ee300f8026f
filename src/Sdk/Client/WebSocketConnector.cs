using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Protocol.Handshake;

namespace Switchboard.Client;

/// <summary>
/// Opens client WebSocket sessions on Switchboard's own stack: a socket, TLS for wss://, the opening handshake
/// (RFC 6455 section 4.1), then a <see cref="WebSocketSession"/> in the client role. Thread-safe.
/// </summary>
public static class WebSocketConnector
{
    private static long s_nextId;

    /// <summary>
    /// Connects to <paramref name="uri"/> (ws://, wss://, http:// or https://). Every failure is a
    /// <see cref="SwitchboardConnectionException"/>: a refusal (401, 403: <see cref="SwitchboardConnectionErrorKind.Refused"/>,
    /// 404: <see cref="SwitchboardConnectionErrorKind.NotFound"/>) with the reason the server wrote in the body, another or
    /// a wrong answer (<see cref="SwitchboardConnectionErrorKind.HandshakeFailed"/>), a server that cannot be reached
    /// (<see cref="SwitchboardConnectionErrorKind.Unreachable"/>), or no connection after
    /// <see cref="WebSocketClientOptions.ConnectTimeout"/> (<see cref="SwitchboardConnectionErrorKind.Timeout"/>).
    /// </summary>
    public static async Task<WebSocketSession> ConnectAsync(Uri uri, WebSocketClientOptions? options = null, ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        options ??= new WebSocketClientOptions();
        var handshake = ClientHandshake.Create(uri, options.Subprotocols, options.Origin, headers: options.Headers, deflate: options.Deflate);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        SocketTransport? transport = null;
        var asked = false; // whether the upgrade request has gone out: failures after it are the handshake's
        try
        {
            await socket.ConnectAsync(new DnsEndPoint(uri.Host, uri.Port), timeout.Token).ConfigureAwait(false);
            Stream? stream = null;
            if (handshake.IsSecure)
            {
                var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
                stream = tls;
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = uri.IdnHost,
                    RemoteCertificateValidationCallback = options.RemoteCertificateValidation,
                }, timeout.Token).ConfigureAwait(false);
            }
            transport = new SocketTransport(socket, stream);

            handshake.WriteRequest(transport.Output);
            asked = true;
            await transport.Output.FlushAsync(timeout.Token).ConfigureAwait(false);
            var subprotocol = await ReadResponseAsync(handshake, transport, uri, timeout.Token).ConfigureAwait(false);

            return new WebSocketSession(Interlocked.Increment(ref s_nextId), transport, WebSocketRole.Client, options.Session, logger, subprotocol, handshake.Deflate);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await DisposeAsync(socket, transport).ConfigureAwait(false);
            throw new SwitchboardConnectionException(SwitchboardConnectionErrorKind.Timeout, $"connecting to {uri} took longer than {options.ConnectTimeout}");
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            await DisposeAsync(socket, transport).ConfigureAwait(false);
            throw new SwitchboardConnectionException(asked ? SwitchboardConnectionErrorKind.HandshakeFailed : SwitchboardConnectionErrorKind.Unreachable,
                $"{uri} {(asked ? "dropped the connection during the WebSocket handshake" : "cannot be reached")}: {e.Message}", innerException: e);
        }
        catch
        {
            await DisposeAsync(socket, transport).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<string?> ReadResponseAsync(ClientHandshake handshake, SocketTransport transport, Uri uri, CancellationToken cancellationToken)
    {
        var input = transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (handshake.TryReadResponse(result.Buffer, out var consumed, out var examined, out var error, out var status, out var subprotocol))
            {
                if (error == ClientHandshakeError.NotSwitchingProtocols)
                {
                    input.AdvanceTo(consumed); // the refusal's head and body are read again, as its reason
                    var reason = await RefusalReason.ReadAsync(input, cancellationToken).ConfigureAwait(false);
                    throw SwitchboardConnectionException.FromStatus(uri, "WebSocket upgrade", status, reason);
                }
                // Bytes after the head are already frames; they stay in the pipe for the session.
                input.AdvanceTo(consumed);
                if (error != ClientHandshakeError.None)
                {
                    throw new SwitchboardConnectionException(SwitchboardConnectionErrorKind.HandshakeFailed,
                        $"{uri} answered the WebSocket upgrade incorrectly: {error}", status == 0 ? null : status, handshakeError: error);
                }
                return subprotocol;
            }
            input.AdvanceTo(consumed, examined);
            if (result.IsCompleted)
            {
                throw new SwitchboardConnectionException(SwitchboardConnectionErrorKind.HandshakeFailed,
                    $"{uri} closed the connection during the WebSocket handshake");
            }
        }
    }

    private static async ValueTask DisposeAsync(Socket socket, SocketTransport? transport)
    {
        if (transport is not null) await transport.DisposeAsync().ConfigureAwait(false);
        else socket.Dispose();
    }
}
