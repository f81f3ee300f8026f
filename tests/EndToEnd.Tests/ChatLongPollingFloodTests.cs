using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Switchboard.Testing;
using Xunit.Abstractions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// The chat sample as its own process under the long-polling open flood of docs/security.md ("Long polling"): one
/// anonymous client opening session after session, each of which would be handed the whole room history and every
/// later join, and never polling. The server's resident memory must stay under the documented ceiling.
/// </summary>
public sealed class ChatLongPollingFloodTests(ITestOutputHelper output)
{
    /// <summary>The ceiling docs/security.md gives for this flood, in MiB of VmRSS.</summary>
    private const long CeilingMiB = 128;

    /// <summary>Opens tried: far past the per-address cap, so most are refused.</summary>
    private const int Opens = 3000;

    [Fact]
    public async Task A_flood_of_long_polling_opens_from_one_address_stays_under_the_memory_ceiling()
    {
        await using var chat = await SampleProcess.StartAsync("Chat");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 8 }) { Timeout = TimeSpan.FromSeconds(20) };
        var baseUri = chat.HttpUri("/ws/");

        // The history at its worst: 50 messages of 2000 '<' (each escaped to six bytes of JSON), from three members, each
        // within the chat's burst of 20 messages. The members join first, so their chat.joined (which the room's history
        // keeps too) are older than the last 50.
        var text = new string('<', 2000);
        var fillers = new[] { ("filler-a", 20), ("filler-b", 20), ("filler-c", 10) };
        var sessions = new Dictionary<string, string>();
        foreach (var (name, _) in fillers) sessions[name] = await OpenAsync(http, baseUri, name);
        foreach (var (name, count) in fillers)
        {
            var session = sessions[name];
            var body = "[" + string.Join(',', Enumerable.Repeat($$$"""{"type":"chat.send","data":{"text":"{{{text}}}"}}""", count)) + "]";
            using var content = new StringContent(body, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var sent = await http.PostAsync(new Uri(baseUri, $"{name}?session={session}&seq=1"), content);
            Assert.Equal(HttpStatusCode.NoContent, sent.StatusCode);
        }
        var checker = await OpenAsync(http, baseUri, "checker");
        using (var poll = await http.GetAsync(new Uri(baseUri, $"checker?session={checker}&ack=0")))
        {
            using var json = JsonDocument.Parse(await poll.Content.ReadAsStringAsync());
            var replayed = json.RootElement.GetProperty("messages").EnumerateArray().Count(m => m.GetProperty("type").GetString() == "chat.message");
            Assert.Equal(50, replayed);
        }

        var pid = chat.ProcessId;
        var before = RssMiB(pid);
        var peak = before;
        int next = -1, opened = 0, busy = 0, other = 0;
        var over = false;
        async Task FloodAsync()
        {
            while (!Volatile.Read(ref over))
            {
                var i = Interlocked.Increment(ref next);
                if (i >= Opens) return;
                using var response = await http.PostAsync(new Uri(baseUri, $"flood{i}?transport=longpolling"), null);
                switch (response.StatusCode)
                {
                    case HttpStatusCode.OK: Interlocked.Increment(ref opened); break;
                    case HttpStatusCode.ServiceUnavailable:
                        Assert.NotNull(response.Headers.RetryAfter);
                        Interlocked.Increment(ref busy);
                        break;
                    default: Interlocked.Increment(ref other); break;
                }
                if (i % 50 == 0)
                {
                    var rss = RssMiB(pid);
                    lock (output) peak = Math.Max(peak, rss);
                    if (rss > CeilingMiB) Volatile.Write(ref over, true); // no need to drive it further
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(FloodAsync))).WaitAsync(TimeSpan.FromSeconds(45));
        var after = RssMiB(pid);
        peak = Math.Max(peak, after);
        output.WriteLine($"VmRSS before {before} MiB, peak {peak} MiB, after {after} MiB; opens {opened} answered 200, {busy} 503, {other} other");

        Assert.True(peak <= CeilingMiB, $"VmRSS reached {peak} MiB (ceiling {CeilingMiB} MiB) after {opened} sessions opened");
        Assert.Equal(0, other);
        Assert.True(busy > 0, "the per-address cap never answered 503");
        Assert.Equal(Opens, opened + busy);
    }

    private static async Task<string> OpenAsync(HttpClient http, Uri baseUri, string name)
    {
        using var response = await http.PostAsync(new Uri(baseUri, $"{name}?transport=longpolling"), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("session").GetString()!;
    }

    /// <summary>The process's resident set (VmRSS of /proc/PID/status), in MiB.</summary>
    private static long RssMiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var kib = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            return kib / 1024;
        }
        throw new InvalidOperationException($"no VmRSS for process {pid}");
    }
}
