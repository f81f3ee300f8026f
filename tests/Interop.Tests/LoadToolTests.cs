using System.Text.Json;
using Switchboard.Testing;

namespace Switchboard.Interop.Tests;

/// <summary>
/// The load tool (benchmarks/Load) against the Echo sample (and the broadcast scenario against the broadcast peer,
/// benchmarks/Peers/SwitchboardBroadcast), as a process with short windows: its own client handshake, masked frames
/// and frame parser work with the server (payload lengths of all three sizes), each scenario reports what it measured
/// with no failed connection, the server is found from its port, and the report renders.
/// These check that the tool works, not how fast anything is.
/// </summary>
public sealed class LoadToolTests(EchoServerFixture fixture) : IClassFixture<EchoServerFixture>, IDisposable
{
    private static readonly string LoadDll = Path.Combine(AppContext.BaseDirectory, "Switchboard.Benchmarks.Load.dll");
    private readonly string _results = Path.Combine(Path.GetTempPath(), $"load-{Guid.NewGuid():N}.jsonl");

    [Theory]
    [InlineData(32, 8)] // 7-bit length
    [InlineData(1000, 4)] // 16-bit length
    [InlineData(70_000, 2)] // 64-bit length
    public async Task Echo_counts_every_echo_and_times_it(int payload, int inflight)
    {
        var result = await RunAsync("echo", "--connections", "4", "--inflight", $"{inflight}", "--payload", $"{payload}", "--warmup", "0.2", "--duration", "0.5");

        Assert.Equal("echo", result.GetProperty("scenario").GetString());
        Assert.Equal(4, result.GetProperty("connections").GetInt32());
        Assert.Equal(0, result.GetProperty("failedConnections").GetInt32());
        Assert.True(result.GetProperty("messages").GetDouble() > 0);
        Assert.True(result.GetProperty("P50Us").GetDouble() > 0);
        Assert.True(result.GetProperty("P99Us").GetDouble() >= result.GetProperty("P50Us").GetDouble());
        // The server was found from its port: its CPU was read.
        Assert.True(result.TryGetProperty("serverCpuPct", out _));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Chat_counts_the_bytes_on_the_wire_with_and_without_deflate(bool deflate)
    {
        string[] options = ["--connections", "4", "--warmup", "0.2", "--duration", "0.5"];
        var result = await RunAsync("chat", deflate ? [.. options, "--deflate"] : options);

        Assert.Equal(0, result.GetProperty("failedConnections").GetInt32());
        Assert.Equal(deflate ? 4 : 0, result.GetProperty("deflateConnections").GetInt32());
        Assert.True(result.GetProperty("messages").GetDouble() > 0);
        var ratio = result.GetProperty("wireRatio").GetDouble();
        // Frames add their headers to the envelopes; deflate takes the large history pages and rosters well below them.
        Assert.True(deflate ? ratio < 0.9 : ratio > 1, $"wire / envelope {ratio}");
        Assert.Equal(deflate, result.GetProperty("compressedEchoPct").GetDouble() > 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Broadcast_inflates_what_comes_compressed_and_counts_the_bytes_read(bool deflate)
    {
        await using var peer = await StartBroadcastPeerAsync();
        string[] options = ["--users", "4", "--payload", "300", "--text", "chat", "--warmup", "0.2", "--duration", "0.5"];
        var result = await RunAsync(peer.WebSocketUri("/room"), "broadcast", deflate ? [.. options, "--deflate"] : options);

        Assert.Equal(0, result.GetProperty("failedConnections").GetInt32());
        Assert.Equal(deflate ? 4 : 0, result.GetProperty("deflateConnections").GetInt32());
        Assert.True(result.GetProperty("deliveries").GetDouble() > 0);
        var compressed = result.GetProperty("compressedDeliveryPct").GetDouble();
        var read = result.GetProperty("readBytesPerDelivery").GetDouble();
        var payload = result.GetProperty("payloadBytesPerDelivery").GetDouble();
        // The stamps were found in inflated messages: the room compresses every message of 256 bytes and more.
        Assert.True(deflate ? compressed > 50 : compressed == 0, $"delivered compressed {compressed} %");
        Assert.True(deflate ? read < payload : read > payload, $"read {read} B per delivery of {payload} B");
    }

    [Fact]
    public async Task Idle_holds_every_connection_and_reads_the_server_memory()
    {
        var result = await RunAsync("idle", "--connections", "40", "--warmup-connections", "4", "--warmup", "0.1", "--duration", "0.3");

        Assert.Equal(40, result.GetProperty("opened").GetInt32());
        Assert.Equal(40, result.GetProperty("held").GetInt32());
        Assert.True(result.GetProperty("rssAfterMiB").GetDouble() > 0);
    }

    [Fact]
    public async Task Handshakes_complete_the_opening_and_closing_handshakes()
    {
        var result = await RunAsync("handshakes", "--concurrency", "2", "--warmup", "0.1", "--duration", "0.4");

        Assert.True(result.GetProperty("handshakes").GetDouble() > 0);
        Assert.Equal(0, result.GetProperty("failures").GetInt32());
    }

    [Fact]
    public async Task Report_renders_the_results_as_a_table()
    {
        await RunAsync("echo", "--connections", "2", "--warmup", "0.1", "--duration", "0.2", "--label", "kestrel");
        await RunAsync("echo", "--connections", "2", "--warmup", "0.1", "--duration", "0.2", "--label", "switchboard");

        var report = await PeerProcess.RunAsync("dotnet", [LoadDll, "report", "--in", _results], RepoPaths.Root, TimeSpan.FromMinutes(1));

        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Contains("| C=2 P=8 S=32 | switchboard |", report.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Targets (switchboard against kestrel", report.StandardOutput, StringComparison.Ordinal);
    }

    public void Dispose() => File.Delete(_results);

    /// <summary>benchmarks/Peers/SwitchboardBroadcast with --deflate, from the copy of its build output beside the tests.</summary>
    private static Task<SampleProcess> StartBroadcastPeerAsync()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "benchmarks", "SwitchboardBroadcast", "SwitchboardBroadcast.dll");
        return SampleProcess.StartProgramAsync("dotnet", [dll, "--port", "0", "--deflate"]);
    }

    /// <summary>Runs one scenario against the Echo sample and returns the JSON line it appended to the results file.</summary>
    private Task<JsonElement> RunAsync(string scenario, params string[] options) => RunAsync(fixture.Uri("/load"), scenario, options);

    /// <summary>Runs one scenario against <paramref name="url"/> and returns the JSON line it appended to the results file.</summary>
    private async Task<JsonElement> RunAsync(Uri url, string scenario, params string[] options)
    {
        var before = File.Exists(_results) ? File.ReadAllLines(_results).Length : 0;
        string[] arguments = [LoadDll, scenario, "--url", url.ToString(), "--out", _results, .. options];
        var run = await PeerProcess.RunAsync("dotnet", arguments, RepoPaths.Root, TimeSpan.FromMinutes(1));

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = File.ReadAllLines(_results);
        Assert.Equal(before + 1, lines.Length);
        return JsonDocument.Parse(lines[^1]).RootElement.Clone();
    }
}
