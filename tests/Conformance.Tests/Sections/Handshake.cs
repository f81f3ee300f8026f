using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Switchboard.Conformance.Tests.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Switchboard.Conformance.Tests.Sections;

/// <summary>
/// The opening handshake (RFC 6455 section 4.2), which Autobahn does not exercise: what must upgrade does, and
/// every malformed or hostile request gets a 4xx answer, never 101.
/// </summary>
public abstract class Handshake(EchoServer echo, ITestOutputHelper output)
{
    /// <summary>The Echo sample runs with the server's default handshake timeout.</summary>
    private static readonly TimeSpan ServerHandshakeTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(5);

    /// <summary>The RFC 6455 section 4.1 example key and its accept value.</summary>
    private const string OtherKey = "x3JJHMbDL1EzLkh9GBhXDw==";

    /// <param name="ChunkSize">When set, the request is written this many bytes at a time, 1 ms apart.</param>
    public sealed record HandshakeCase(string Id, string Description, Func<int, string> Request, Func<HttpHead, string?> Judge, int ChunkSize = 0);

    public static readonly IReadOnlyDictionary<string, HandshakeCase> Cases = Build().ToDictionary(c => c.Id, StringComparer.Ordinal);

    public static TheoryData<string> Ids => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Ids))]
    public async Task Rfc6455(string id)
    {
        var c = Cases[id];
        var request = c.Request(echo.Port);
        await using var connection = await RawConnection.ConnectAsync(echo.Port, Answer);
        try
        {
            var bytes = Encoding.Latin1.GetBytes(request);
            if (c.ChunkSize <= 0)
            {
                await connection.SendAsync(bytes);
            }
            else
            {
                foreach (var chunk in bytes.Chunk(c.ChunkSize))
                {
                    await connection.SendAsync(chunk);
                    await Task.Delay(1); // pacing, not a wait for an event: each chunk of the head arrives on its own
                }
            }
        }
        catch (SocketException)
        {
            // A server refusing a huge head may reset before reading it all; its answer can still be read.
        }
        var (head, raw) = await connection.ReadHeadAsync(Answer);
        output.WriteLine($"Case {c.Id}: {c.Description}\n--- response head ---\n{raw}");
        var problem = head is null ? "no HTTP response" : c.Judge(head);
        if (problem is not null)
            Assert.Fail($"Case {c.Id}: {c.Description}\n  {problem}\n--- request (first 400 chars) ---\n{Shorten(request)}\n--- response head ---\n{raw}{echo.ServerOutput()}");
    }

    /// <summary>A request that never finishes must not hold the connection beyond the server's handshake timeout.</summary>
    [Fact]
    public async Task Unfinished_handshake_is_dropped()
    {
        await using var connection = await RawConnection.ConnectAsync(echo.Port, Answer);
        await connection.SendAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: 127.0.0.1:{echo.Port}\r\nUpgrade: websocket\r\n"));
        var limit = ServerHandshakeTimeout + TimeSpan.FromSeconds(5);
        var clock = Stopwatch.StartNew();
        var (head, raw) = await connection.ReadHeadAsync(limit);
        output.WriteLine($"after {clock.Elapsed.TotalSeconds:0.0} s: {raw}");
        Assert.DoesNotContain("no complete response within", raw, StringComparison.Ordinal);
        if (head is not null)
        {
            Assert.True(head.Status == 408, $"an unfinished request got an answer other than 408:\n{raw}");
            var rest = limit - clock.Elapsed;
            Assert.True(rest > TimeSpan.Zero && await connection.WaitForServerToCloseAsync(rest), "the connection stayed open after the 408");
        }
    }

    private static string Shorten(string request) => request.Length <= 400 ? request : request[..400] + $"… ({request.Length} chars)";

    private static Func<HttpHead, string?> Upgrades(string key) => head => RawConnection.CheckUpgradeResponse(head, key);

    protected static Func<HttpHead, string?> Status(params int[] statuses) => head =>
        statuses.Contains(head.Status) ? null : $"status {head.Status}, expected {string.Join(" or ", statuses)}";

    private static IEnumerable<HandshakeCase> Build()
    {
        static string Request(int port, string method = "GET", string key = HttpHead.SampleKey, string version = "13", string upgrade = "websocket",
            string connection = "Upgrade", string extra = "") => HttpHead.UpgradeRequest(port, "/", method, key, version, upgrade, connection, extra);

        yield return new("H.1", "valid upgrade with the RFC 4.1 key: 101 with the accept value the RFC gives",
            port => Request(port, key: OtherKey),
            head => head["Sec-WebSocket-Accept"] == "HSmrc0sMlYUkAGmm5OPpG2HaGWk=" ? Upgrades(OtherKey)(head) : $"Sec-WebSocket-Accept is '{head["Sec-WebSocket-Accept"]}'");
        yield return new("H.2", "Upgrade: WebSocket and Connection: keep-alive, Upgrade: tokens are case-insensitive lists (section 4.2.1)",
            port => Request(port, upgrade: "WebSocket", connection: "keep-alive, Upgrade"), Upgrades(HttpHead.SampleKey));
        yield return new("H.3", "header names in lower case: field names are case-insensitive",
            port => $"GET / HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nupgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-key: {HttpHead.SampleKey}\r\nsec-websocket-version: 13\r\n\r\n",
            Upgrades(HttpHead.SampleKey));
        yield return new("H.4", "Sec-WebSocket-Version: 12: 426 listing version 13 (section 4.4)",
            port => Request(port, version: "12"),
            head => head.Status != 426 ? $"status {head.Status}, expected 426"
                : head.HasToken("Sec-WebSocket-Version", "13") ? null : $"Sec-WebSocket-Version is '{head["Sec-WebSocket-Version"]}', expected 13");
        yield return new("H.5", "no Sec-WebSocket-Version", port => Request(port, version: ""), Status(400, 426));
        yield return new("H.6", "Sec-WebSocket-Key that decodes to 3 bytes, not 16", port => Request(port, key: "AAAA"), Status(400));
        yield return new("H.7", "Sec-WebSocket-Key that is not base64", port => Request(port, key: "not base64 at all!!!!!=="), Status(400));
        yield return new("H.8", "Sec-WebSocket-Key that decodes to 15 bytes", port => Request(port, key: "AAAAAAAAAAAAAAAAAAAA"), Status(400));
        yield return new("H.9", "no Sec-WebSocket-Key", port => Request(port, key: ""), Status(400));
        yield return new("H.10", "Sec-WebSocket-Key twice (section 11.3.1: at most once)",
            port => Request(port, extra: $"Sec-WebSocket-Key: {OtherKey}\r\n"), Status(400));
        yield return new("H.11", "no Upgrade header", port => Request(port, upgrade: ""), Status(400, 426));
        yield return new("H.12", "Upgrade: h2c instead of websocket", port => Request(port, upgrade: "h2c"), Status(400, 426));
        yield return new("H.13", "no Connection header", port => Request(port, connection: ""), Status(400, 426));
        yield return new("H.14", "Connection: keep-alive without Upgrade", port => Request(port, connection: "keep-alive"), Status(400, 426));
        yield return new("H.15", "POST instead of GET: 405", port => Request(port, method: "POST"), Status(405));
        yield return new("H.16", "HTTP/1.0 request", port => Request(port).Replace("HTTP/1.1", "HTTP/1.0", StringComparison.Ordinal), Status(400, 426, 505));
        yield return new("H.17", "no Host header",
            port => string.Join("\r\n", Request(port).Split("\r\n").Where(l => !l.StartsWith("Host:", StringComparison.Ordinal))), Status(400));
        yield return new("H.18", "a header line without a colon", port => Request(port, extra: "X-Broken header line\r\n"), Status(400));
        yield return new("H.19", "not HTTP at all (a TLS ClientHello start, then a blank line)",
            _ => "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003\r\n\r\n", Status(400));
        yield return new("H.20", "a 16 KiB header field: the head is over the server's 8 KiB limit, 431",
            port => Request(port, extra: $"X-Filler: {new string('a', 16 * 1024)}\r\n"), Status(431));
        yield return new("H.21", "100 header fields: over the server's 64-field limit, 431",
            port => Request(port, extra: string.Concat(Enumerable.Range(0, 100).Select(i => $"X-Field-{i}: {i}\r\n"))), Status(431));

        // Requests a server must accept although they are not the most common shape.
        yield return new("H.22", "the request written one byte at a time: the head is assembled across reads",
            port => Request(port), Upgrades(HttpHead.SampleKey), ChunkSize: 1);
        yield return new("H.23", "absolute-form request URI http://host:port/ (section 4.2.1 allows it)",
            port => Request(port).Replace("GET / ", $"GET http://127.0.0.1:{port}/ ", StringComparison.Ordinal), Upgrades(HttpHead.SampleKey));
        yield return new("H.24", "spaces and tabs around header values (optional whitespace, RFC 9112 section 5)",
            port => Request(port).Replace($"Sec-WebSocket-Key: {HttpHead.SampleKey}", $"Sec-WebSocket-Key: \t {HttpHead.SampleKey} \t", StringComparison.Ordinal),
            Upgrades(HttpHead.SampleKey));
        yield return new("H.25", "Connection split over two header lines (keep-alive, then Upgrade): one comma list (RFC 9110 section 5.3)",
            port => Request(port, connection: "keep-alive", extra: "Connection: Upgrade\r\n"), Upgrades(HttpHead.SampleKey));
        yield return new("H.26", "offers permessage-deflate and an unknown extension: 101, permessage-deflate at most, never the unknown one",
            port => Request(port, extra: "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-unknown\r\n"),
            head => head.Status != 101 ? $"status {head.Status}, expected 101"
                : head["Sec-WebSocket-Extensions"] is { } e && (!e.StartsWith("permessage-deflate", StringComparison.Ordinal) || e.Contains("x-unknown", StringComparison.Ordinal))
                    ? $"the server answered extension '{e}', which was not offered as such"
                : RawConnection.CheckUpgradeResponse(head, HttpHead.SampleKey, extensionOffered: true));
        yield return new("H.27", "offers subprotocols the Echo sample does not speak: 101 without Sec-WebSocket-Protocol (section 4.2.2)",
            port => Request(port, extra: "Sec-WebSocket-Protocol: chat, superchat\r\n"), Upgrades(HttpHead.SampleKey));
    }
}

/// <summary><see cref="Handshake"/> against <c>Echo</c> on its standalone host.</summary>
public sealed class HandshakeOnStandalone(EchoServer echo, ITestOutputHelper output) : Handshake(echo, output), IClassFixture<EchoServer>;

/// <summary>
/// <see cref="Handshake"/> against <c>Echo --host aspnetcore</c>, where Kestrel reads the request head and
/// Switchboard judges the upgrade from what Kestrel parsed.
/// </summary>
public sealed class HandshakeOnAspNetCore(AspNetCoreEchoServer echo, ITestOutputHelper output) : Handshake(echo, output), IClassFixture<AspNetCoreEchoServer>;
