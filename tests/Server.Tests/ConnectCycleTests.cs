using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Switchboard.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Switchboard.Server.Tests;

/// <summary>
/// Tests that measure the whole process heap run in this collection: alone, after every parallel test has finished, so
/// that no other test's allocations are counted.
/// </summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;

/// <summary>
/// Thousands of connections that come and go every way a client can leave (a clean close handshake, a reset, a FIN,
/// half a handshake, half a frame, a long-polling session left or abandoned): afterwards the server holds nothing, and
/// the heap is as large as it was after the first batch.
/// </summary>
[Collection(nameof(MemoryMeasurement))]
public sealed class ConnectCycleTests(ITestOutputHelper output)
{
    private const int WarmUpCycles = 1000;
    private const int MeasuredCycles = 6000;
    private const int Parallelism = 8;

    // A leak of 1 KiB per cycle would grow the heap by about 6 MB over the measured cycles; 1 MiB allows 175 bytes.
    private const long AllowedGrowth = 1024 * 1024;

    private enum Exit : byte
    {
        CloseHandshake,
        ResetWhileIdle,
        FinWhileIdle,
        ResetMidFrame,
        FinMidFragmentedMessage,
        ResetMidHandshake,
        FinMidHandshake,
        ResetBeforeAnyByte,
        LongPollingLeave,
        LongPollingAbandon,
    }

    [Fact]
    public async Task Thousands_of_connect_and_disconnect_cycles_leave_nothing_behind()
    {
        var connected = 0;
        var disconnected = 0;
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog)
            .OnConnected(_ =>
            {
                Interlocked.Increment(ref connected);
                return ValueTask.CompletedTask;
            })
            .OnDisconnected((_, _) =>
            {
                Interlocked.Increment(ref disconnected);
                return ValueTask.CompletedTask;
            })
            .On<Route>((context, route) => context.SendAsync(new Note("echo", route.Seq)));
        var options = new WebSocketServerOptions
        {
            CloseTimeout = TimeSpan.FromSeconds(2),
            LongPolling = new LongPollingOptions { HoldTime = TimeSpan.FromMilliseconds(500), IdleTimeout = TimeSpan.FromSeconds(2) },
        };
        await using var server = new TestServer(options, ("/room/{name}", endpoint));
        var port = server.Server.LocalEndPoint.Port;

        var clock = Stopwatch.StartNew();
        await RunCyclesAsync(port, 0, WarmUpCycles);
        await AssertEmptyAsync(server.Server, endpoint);
        var before = HeapAfterFullCollection();

        await RunCyclesAsync(port, WarmUpCycles, MeasuredCycles);
        await AssertEmptyAsync(server.Server, endpoint);
        var after = HeapAfterFullCollection();

        output.WriteLine($"{WarmUpCycles + MeasuredCycles} cycles in {clock.Elapsed.TotalSeconds:F1} s; heap after warm-up {before / 1024} KiB, "
            + $"after all cycles {after / 1024} KiB ({(after - before) / (double)MeasuredCycles:F1} bytes per cycle)");
        Assert.Equal(Volatile.Read(ref connected), Volatile.Read(ref disconnected));
        Assert.True(after - before < AllowedGrowth,
            $"the heap grew by {(after - before) / 1024} KiB over {MeasuredCycles} cycles ({(after - before) / MeasuredCycles} bytes each)");
    }

    private static async Task RunCyclesAsync(int port, int first, int count)
    {
        await Parallel.ForAsync(first, first + count, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (i, _) =>
        {
            var exit = (Exit)(i % (Enum.GetValues<Exit>().Length));
            await CycleAsync(port, i, exit);
        });
    }

    private static async Task CycleAsync(int port, int i, Exit exit)
    {
        using var peer = await RawClient.ConnectAsync(port);
        var path = $"/room/c{i}";
        switch (exit)
        {
            case Exit.CloseHandshake:
                Assert.StartsWith("HTTP/1.1 101 ", await peer.UpgradeAsync(path), StringComparison.Ordinal);
                await peer.SendAsync(RawFrames.Text($"{{\"type\":\"test.route\",\"data\":{{\"target\":\"me\",\"name\":null,\"seq\":{i}}}}}"));
                var echo = $"{{\"type\":\"test.note\",\"data\":{{\"from\":\"echo\",\"seq\":{i}}}}}";
                Assert.Equal(Encoding.UTF8.GetString(FrameOf(echo)), Encoding.UTF8.GetString(await peer.ReadAsync(FrameOf(echo).Length, TimeSpan.FromSeconds(10))));
                await peer.SendAsync(RawFrames.Close());
                Assert.Equal(new byte[] { 0x88, 0x02, 0x03, 0xE8 }, await peer.ReadAsync(4, TimeSpan.FromSeconds(10)));
                Assert.Empty(await peer.ReadAsync(1, TimeSpan.FromSeconds(10))); // the server ends the TCP connection
                peer.Finish();
                break;
            case Exit.ResetWhileIdle:
                Assert.StartsWith("HTTP/1.1 101 ", await peer.UpgradeAsync(path), StringComparison.Ordinal);
                peer.Reset();
                break;
            case Exit.FinWhileIdle:
                Assert.StartsWith("HTTP/1.1 101 ", await peer.UpgradeAsync(path), StringComparison.Ordinal);
                peer.Finish();
                break;
            case Exit.ResetMidFrame:
                Assert.StartsWith("HTTP/1.1 101 ", await peer.UpgradeAsync(path), StringComparison.Ordinal);
                await peer.SendAsync([.. RawFrames.Header(0x81, 300), .. "{\"type\":\"test.ro"u8.ToArray()]);
                peer.Reset();
                break;
            case Exit.FinMidFragmentedMessage:
                Assert.StartsWith("HTTP/1.1 101 ", await peer.UpgradeAsync(path), StringComparison.Ordinal);
                var fragment = new byte[2000];
                fragment.AsSpan().Fill((byte)' ');
                await peer.SendAsync([.. RawFrames.Header(0x01, fragment.Length), .. fragment]);
                peer.Finish();
                break;
            case Exit.ResetMidHandshake:
                await peer.SendAsync(RawFrames.UpgradeRequest(path, 40));
                peer.Reset();
                break;
            case Exit.FinMidHandshake:
                await peer.SendAsync(RawFrames.UpgradeRequest(path, 60));
                peer.Finish();
                break;
            case Exit.ResetBeforeAnyByte:
                peer.Reset();
                break;
            case Exit.LongPollingLeave:
            {
                var token = await OpenSessionAsync(peer, path);
                var status = (await peer.RequestAsync("DELETE", $"{path}?session={Uri.EscapeDataString(token)}")).Status;
                Assert.Equal(204, status);
                peer.Finish();
                break;
            }
            case Exit.LongPollingAbandon:
                await OpenSessionAsync(peer, path);
                peer.Reset();
                break;
        }
    }

    private static async Task<string> OpenSessionAsync(RawClient peer, string path)
    {
        var opened = await peer.RequestAsync("POST", path + "?transport=longpolling");
        Assert.Equal(200, opened.Status);
        using var json = JsonDocument.Parse(opened.Text);
        return json.RootElement.GetProperty("session").GetString()!;
    }

    /// <summary>The unmasked frame the server sends for a short text message.</summary>
    private static byte[] FrameOf(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        return [0x81, (byte)payload.Length, .. payload];
    }

    private static async Task AssertEmptyAsync(WebSocketServer server, MessageEndpoint endpoint)
    {
        await FaultTests.AssertServerIsEmptyAsync(server);
        await Eventually.TrueAsync(() => server.LongPollingTableCount == 0 && endpoint.ConnectionCount == 0,
            () => $"nothing is left in the tables (long-polling entries {server.LongPollingTableCount}, endpoint connections {endpoint.ConnectionCount})");
    }

    private static long HeapAfterFullCollection()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
