using System.Text.RegularExpressions;

namespace Switchboard.Interop.Tests;

/// <summary>
/// Checks a RESULT line printed by a peer script: the script verifies every echo itself (type,
/// exact bytes, order), answers a ping, closes with 1000, and reports what it saw: with it the negotiated
/// <c>Sec-WebSocket-Extensions</c> and the bytes a 200 000-byte compressible text took on the wire each way.
/// </summary>
internal static partial class PeerAssert
{
    /// <summary>Messages each peer script sends: 7 text sizes, 1 greeting, 7 binary sizes, 2 fragmented.</summary>
    public const int ScriptMessageCount = 17;

    /// <summary>Bytes each peer script sends in total (sum of all payload sizes).</summary>
    public const long ScriptPayloadBytes =
        (0 + 1 + 125 + 126 + 65535 + 65536 + (1024 * 1024) + 3) +
        /* greeting */ 0 +
        (0 + 1 + 125 + 126 + 65535 + 65536 + (1024 * 1024) + 7) +
        200_000 + 150_000;

    public static void Succeeded(PeerResult result, string peerPrefix, long greetingBytes)
    {
        Assert.True(result.ExitCode == 0, $"peer failed:\n{result}");
        var line = result.ResultLine;
        Assert.True(line is not null, $"peer printed no RESULT line:\n{result}");
        var match = ResultOk().Match(line!);
        Assert.True(match.Success, $"unexpected RESULT line: {line}\n{result}");
        Assert.StartsWith(peerPrefix, match.Groups["peer"].Value, StringComparison.Ordinal);
        Assert.Equal(ScriptMessageCount, int.Parse(match.Groups["messages"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(ScriptPayloadBytes + greetingBytes, long.Parse(match.Groups["bytes"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("1000", match.Groups["close"].Value);

        // The server accepts the peer's permessage-deflate offer with no context takeover both ways, and the
        // chat-style text crosses the wire compressed several times over in each direction.
        var extensions = match.Groups["extensions"].Value;
        Assert.StartsWith("permessage-deflate", extensions, StringComparison.Ordinal);
        Assert.Contains("server_no_context_takeover", extensions, StringComparison.Ordinal);
        Assert.Contains("client_no_context_takeover", extensions, StringComparison.Ordinal);
        var plain = Count(match, "plain");
        Assert.Equal(CompressibleBytes, plain);
        var wireOut = Count(match, "out");
        var wireIn = Count(match, "in");
        Assert.True(wireOut * 4 < plain, $"the peer sent the {plain}-byte text in {wireOut} bytes: not compressed\n{result}");
        Assert.True(wireIn * 4 < plain, $"the server sent the {plain}-byte text in {wireIn} bytes: not compressed\n{result}");
    }

    /// <summary>The size of the compressible text each script round-trips after the others.</summary>
    public const long CompressibleBytes = 200_000;

    private static long Count(Match match, string group) =>
        long.Parse(match.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^RESULT ok peer=(?<peer>\S+) messages=(?<messages>\d+) bytes=(?<bytes>\d+) sha256=(?<sha>[0-9a-f]{64}) close=(?<close>\d+) compressible=(?<plain>\d+) wire_out=(?<out>\d+) wire_in=(?<in>\d+) extensions=(?<extensions>.*)$")]
    private static partial Regex ResultOk();
}

/// <summary>The Python <c>websockets</c> library (Debian python3-websockets) against samples/Echo.</summary>
public sealed class PythonWebSocketsInteropTests(EchoServerFixture echo) : IClassFixture<EchoServerFixture>
{
    // Debian's interpreter: it is the one that sees Debian's dist-packages.
    private const string Python = "/usr/bin/python3";

    [Fact(Timeout = 180_000)]
    public async Task Python_websockets_round_trips_text_and_binary_in_order_and_closes_1000()
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: run scripts/test.sh to install the test peers");
        var result = await PeerProcess.RunAsync(
            Python,
            ["-B", RepoPaths.Peer("echo_client.py"), echo.Uri("/interop/python").ToString()],
            RepoPaths.Peers,
            TimeSpan.FromSeconds(150));
        PeerAssert.Succeeded(result, "python-websockets/", Greeting.Utf8Bytes);
    }
}

/// <summary>The Node.js <c>ws</c> library (npm, pinned in peers/package.json) against samples/Echo.</summary>
public sealed class NodeWsInteropTests(EchoServerFixture echo) : IClassFixture<EchoServerFixture>
{
    [Fact(Timeout = 180_000)]
    public async Task Node_ws_round_trips_text_and_binary_in_order_and_closes_1000()
    {
        Assert.True(
            File.Exists(Path.Combine(RepoPaths.Peers, "node_modules", "ws", "package.json")),
            "npm package ws is not installed in tests/Interop.Tests/peers: run scripts/test.sh");
        var result = await PeerProcess.RunAsync(
            "node",
            [RepoPaths.Peer("echo_client.mjs"), echo.Uri("/interop/node").ToString()],
            RepoPaths.Peers,
            TimeSpan.FromSeconds(150));
        PeerAssert.Succeeded(result, "node-ws/", Greeting.Utf8Bytes);
    }
}

/// <summary>The fixed greeting both scripts send (multi-byte UTF-8, emoji).</summary>
internal static class Greeting
{
    public const string Text = "héllo wörld — Grüße, 你好, こんにちは 👋🌍";

    public static long Utf8Bytes => System.Text.Encoding.UTF8.GetByteCount(Text);
}
