using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Switchboard.Protocol.Http;
using Switchboard.Server.Admission;
using Switchboard.Server.Http;

namespace Switchboard.AspNetCore.Hosting;

/// <summary>
/// Rebuilds an ASP.NET Core request as the request head the standalone server would have parsed, so that the upgrade
/// rules, the origin rule, the authentication hook and long polling judge it by the same code. The head is written out
/// as HTTP/1.1 (HTTP/1.0 for a 1.0 request, which the upgrade rules then refuse as standalone) and read back with <see cref="HttpRequestParser"/>; its Host and scheme are the request's after the
/// app's middleware (forwarded headers included), carried as <see cref="HttpRequestHead.Forwarded"/>.
/// </summary>
internal static class RequestHeads
{
    // Generous: Kestrel has already applied its own limits to the request.
    private static readonly HttpHeadLimits Limits = new() { MaxHeaderBytes = 1024 * 1024, MaxHeaderCount = 10_000 };

    /// <summary>
    /// The head of <paramref name="request"/>, declaring <paramref name="bodyLength"/> bytes of body; null when a field
    /// cannot be written as HTTP/1.1 (a character outside Latin-1, say).
    /// </summary>
    /// <remarks>
    /// An HTTP/2 extended CONNECT for WebSocket (RFC 8441, <paramref name="extendedConnect"/>) becomes the HTTP/1.1 upgrade
    /// it stands for: a GET with <c>Upgrade</c>, <c>Connection</c> and a fresh <c>Sec-WebSocket-Key</c>, which HTTP/2
    /// has no use for; the version, origin and subprotocol fields are the request's own, judged as on HTTP/1.1.
    /// </remarks>
    public static HttpRequestHead? From(HttpRequest request, long bodyLength, bool extendedConnect = false)
    {
        var text = new StringBuilder(256);
        text.Append(extendedConnect ? "GET" : request.Method).Append(' ');
        var path = request.PathBase.Add(request.Path).ToUriComponent();
        text.Append(path.Length == 0 ? "/" : path).Append(request.QueryString.ToUriComponent())
            .Append(!extendedConnect && HttpProtocol.IsHttp10(request.Protocol) ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
        text.Append("Host: ").Append(request.Host.Value).Append("\r\n");
        foreach (var (name, values) in request.Headers)
        {
            // Framing is this head's own; Host was written above, as the app sees it.
            if (name.Equals(HeaderNames.Host, StringComparison.OrdinalIgnoreCase) || name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase)
                || name.Equals(HeaderNames.TransferEncoding, StringComparison.OrdinalIgnoreCase) || name.StartsWith(':'))
            {
                continue;
            }
            foreach (var value in values) text.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        if (bodyLength > 0) text.Append("Content-Length: ").Append(bodyLength).Append("\r\n");
        if (extendedConnect)
        {
            text.Append("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ")
                .Append(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))).Append("\r\n");
        }
        text.Append("\r\n");

        var chars = text.ToString();
        foreach (var c in chars)
        {
            if (c > 0xFF) return null;
        }
        var bytes = Encoding.Latin1.GetBytes(chars);
        if (!HttpRequestParser.TryParse(new ReadOnlySequence<byte>(bytes), Limits, long.MaxValue, out _, out _, out var head, out var error)
            || error != HttpError.None || head is null)
        {
            return null;
        }
        head.Forwarded = new ForwardedRequest(request.Scheme, request.Host.Value, RemoteOf(request.HttpContext) as IPEndPoint);
        return head;
    }

    /// <summary>The client's address as the app sees it (after its forwarded-headers middleware); null when unknown.</summary>
    public static EndPoint? RemoteOf(HttpContext context)
    {
        var connection = context.Connection;
        return connection.RemoteIpAddress is { } address ? new IPEndPoint(address, connection.RemotePort) : null;
    }
}
