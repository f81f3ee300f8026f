using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Switchboard.Testing;

namespace Switchboard.Interop.Tests;

/// <summary>A browser's own <c>new WebSocket(url)</c>, run in page JavaScript, against samples/Echo.</summary>
public sealed class ChromiumInteropTests(EchoServerFixture echo, ChromiumFixture chromium)
    : IClassFixture<EchoServerFixture>, IClassFixture<ChromiumFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    // Sends every message at once, collects the echoes in arrival order, then closes with 1000 and
    // reports the close event. Binary data crosses the Playwright boundary as base64.
    private const string RoundTripScript = """
        async ({ url, messages, timeoutMs }) => {
          const toBase64 = (buffer) => {
            const bytes = new Uint8Array(buffer);
            let binary = '';
            for (let i = 0; i < bytes.length; i += 0x8000) {
              binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
            }
            return btoa(binary);
          };
          const fromBase64 = (text) => {
            const binary = atob(text);
            const bytes = new Uint8Array(binary.length);
            for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
            return bytes.buffer;
          };
          const deadline = Date.now() + timeoutMs;
          let wake = () => {};
          const until = async (condition, what) => {
            while (!condition()) {
              if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
              await new Promise((resolve) => { wake = resolve; setTimeout(resolve, 50); });
            }
          };

          const ws = new WebSocket(url);
          ws.binaryType = 'arraybuffer';
          const echoes = [];
          let errors = 0;
          let close = null;
          ws.onmessage = (e) => {
            echoes.push(typeof e.data === 'string'
              ? { binary: false, data: e.data }
              : { binary: true, data: toBase64(e.data) });
            wake();
          };
          ws.onerror = () => { errors++; wake(); };
          ws.onclose = (e) => { close = { code: e.code, reason: e.reason, wasClean: e.wasClean }; wake(); };

          await until(() => ws.readyState !== WebSocket.CONNECTING, 'the connection to open');
          if (ws.readyState !== WebSocket.OPEN) {
            throw new Error('could not connect: ' + JSON.stringify(close));
          }
          for (const m of messages) ws.send(m.binary ? fromBase64(m.data) : m.data);
          await until(() => echoes.length >= messages.length || close !== null, 'the echoes');
          const closedEarly = close !== null;
          ws.close(1000, 'done');
          await until(() => close !== null, 'the close event');
          return { echoes, close, closedEarly, errors, extensions: ws.extensions };
        }
        """;

    [Fact(Timeout = 150_000)]
    public async Task Text_messages_with_emoji_round_trip_in_order()
    {
        List<PageMessage> messages =
        [
            PageMessage.Of(""),
            PageMessage.Of("a"),
            PageMessage.Of("héllo 😀🎉 中文 — 👋🌍 Grüße"),
            PageMessage.Of(Payloads.Text(125, seed: 1)),
            PageMessage.Of(Payloads.Text(126, seed: 2)),
            PageMessage.Of(Payloads.Text(65535, seed: 3)),
            PageMessage.Of(Payloads.Text(65536, seed: 4)),
            PageMessage.Of(Payloads.Text(Payloads.MiB, seed: 5)),
            PageMessage.Of("🎉 last"),
        ];

        await RoundTripAsync("/interop/browser/text", messages);
    }

    [Fact(Timeout = 150_000)]
    public async Task Binary_array_buffers_round_trip_in_order()
    {
        List<PageMessage> messages =
        [
            .. new[] { 0, 1, 125, 126, 65535, 65536, Payloads.MiB + 5 }
                .Select((size, i) => PageMessage.Of(Payloads.Binary(size, seed: 50 + i))),
        ];

        await RoundTripAsync("/interop/browser/binary", messages);
    }

    [Fact(Timeout = 150_000)]
    public async Task Interleaved_text_and_binary_keep_their_order_and_type()
    {
        var messages = new List<PageMessage>();
        for (var i = 0; i < 30; i++)
        {
            var size = i * 997 % 70_000;
            messages.Add(i % 3 == 0 ? PageMessage.Of(Payloads.Binary(size, seed: 100 + i)) : PageMessage.Of($"#{i} 😀 " + Payloads.Text(size, seed: 100 + i)));
        }

        await RoundTripAsync("/interop/browser/mixed", messages);
    }

    [Fact(Timeout = 150_000)]
    public async Task Close_1000_is_seen_by_the_close_event()
    {
        await RoundTripAsync("/interop/browser/close", []);
    }

    [Fact(Timeout = 150_000)]
    public async Task A_compressible_message_crosses_the_wire_compressed_both_ways()
    {
        // Chat-style JSON lines, 200,000 bytes: a relay between the browser and the server counts what crosses the wire.
        var lines = new StringBuilder();
        for (var i = 0; lines.Length < CompressibleBytes; i++)
            lines.Append(CultureInfo.InvariantCulture, $$"""{"type":"chat.message","room":"lobby","user":"user-{{i % 17}}","text":"message number {{i}}"}""").Append('\n');
        var text = lines.ToString(0, CompressibleBytes);
        await using var front = new TcpFront(echo.Uri().Port, refuseWebSocket: false);

        // The relay resets both sides once one of them ends, so the close it shows the page is not a clean one.
        await RoundTripAsync(front.Uri("/interop/browser/deflate"), [PageMessage.Of(text)], cleanClose: false);

        Assert.True(front.BytesToServer * 4 < CompressibleBytes, $"Chromium sent the {CompressibleBytes}-byte text in {front.BytesToServer} bytes: not compressed");
        Assert.True(front.BytesToClient * 4 < CompressibleBytes, $"the server sent the {CompressibleBytes}-byte text in {front.BytesToClient} bytes: not compressed");
    }

    private const int CompressibleBytes = 200_000;

    private Task RoundTripAsync(string path, List<PageMessage> messages) => RoundTripAsync(echo.Uri(path), messages);

    private async Task RoundTripAsync(Uri uri, List<PageMessage> messages, bool cleanClose = true)
    {
        var context = await chromium.Browser.NewContextAsync();
        try
        {
            var page = await context.NewPageAsync();
            var console = new List<string>();
            page.Console += (_, message) => { lock (console) console.Add($"{message.Type}: {message.Text}"); };

            var result = await page.EvaluateAsync<JsonElement>(
                RoundTripScript,
                new
                {
                    url = uri.ToString(),
                    messages = messages.Select(m => new { binary = m.Binary, data = m.Data }).ToArray(),
                    timeoutMs = (int)(Timeout.TotalMilliseconds - 10_000),
                }).WaitAsync(Timeout);

            string Context()
            {
                lock (console) return $"page result: {Truncate(result.ToString())}\nconsole:\n{string.Join('\n', console)}";
            }

            Assert.False(result.GetProperty("closedEarly").GetBoolean(), $"the server closed before echoing everything\n{Context()}");
            var echoes = result.GetProperty("echoes");
            Assert.True(echoes.GetArrayLength() == messages.Count, $"sent {messages.Count} messages, got {echoes.GetArrayLength()} echoes\n{Context()}");

            var index = 0;
            foreach (var echoed in echoes.EnumerateArray())
            {
                var sent = messages[index];
                var binary = echoed.GetProperty("binary").GetBoolean();
                var data = echoed.GetProperty("data").GetString() ?? "";
                Assert.True(sent.Binary == binary, $"message {index}: sent {(sent.Binary ? "binary" : "text")}, echo is {(binary ? "binary" : "text")}");
                var expected = sent.Bytes;
                var actual = binary ? Convert.FromBase64String(data) : Encoding.UTF8.GetBytes(data);
                Assert.True(
                    expected.AsSpan().SequenceEqual(actual),
                    $"message {index}: echo differs (sent {expected.Length} bytes, sha256 {Payloads.Sha256(expected)}; got {actual.Length} bytes, sha256 {Payloads.Sha256(actual)})");
                if (!binary) Assert.Equal(sent.Data, data);
                index++;
            }

            if (cleanClose)
            {
                var close = result.GetProperty("close");
                Assert.Equal(1000, close.GetProperty("code").GetInt32());
                Assert.True(close.GetProperty("wasClean").GetBoolean(), $"close was not clean\n{Context()}");
            }
            Assert.Equal(0, result.GetProperty("errors").GetInt32());

            // Chromium's default offer is accepted with no context takeover both ways.
            var extensions = result.GetProperty("extensions").GetString() ?? "";
            Assert.StartsWith("permessage-deflate", extensions, StringComparison.Ordinal);
            Assert.Contains("server_no_context_takeover", extensions, StringComparison.Ordinal);
            Assert.Contains("client_no_context_takeover", extensions, StringComparison.Ordinal);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    private static string Truncate(string text) => text.Length <= 2000 ? text : text[..2000] + "...";

    /// <summary>A message as handed to the page: text as is, binary as base64.</summary>
    private sealed record PageMessage(bool Binary, string Data, byte[] Bytes)
    {
        public static PageMessage Of(string text) => new(false, text, Encoding.UTF8.GetBytes(text));

        public static PageMessage Of(byte[] bytes) => new(true, Convert.ToBase64String(bytes), bytes);
    }
}
