using System.Buffers;
using System.Diagnostics;
using Switchboard.Protocol;
using Switchboard.Protocol.Compression;
using Switchboard.Protocol.Connection;
using Xunit;
using Xunit.Abstractions;

namespace Switchboard.Tests.Compression;

/// <summary>
/// What a connection that negotiated permessage-deflate keeps once it is idle again, zlib's native memory included:
/// nothing with the default no-context-takeover, a compressor and a decompressor with context takeover both ways.
/// The figures go to the test output (docs/performance.md quotes them).
/// </summary>
public class DeflateMemoryTests(ITestOutputHelper output)
{
    private const int Connections = 200;

    [Fact]
    public void Idle_connection_keeps_zlib_state_only_with_context_takeover()
    {
        static double PerConnection(DeflateParameters parameters, List<object> keep)
        {
            long before = Resident();
            byte[] message = new byte[4096];
            Random.Shared.NextBytes(message.AsSpan(0, 1024));
            for (int i = 0; i < Connections; i++)
            {
                var pair = new DeflatePair(parameters);
                var wire = new ArrayBufferWriter<byte>();
                pair.Server.Send(wire, Opcode.Binary, message);
                DeflatePair.Read(pair.Client, wire.WrittenSpan.ToArray());
                wire = new ArrayBufferWriter<byte>();
                pair.Client.Send(wire, Opcode.Binary, message);
                DeflatePair.Read(pair.Server, wire.WrittenSpan.ToArray());
                keep.Add(pair.Server);
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return (Resident() - before) / (double)Connections;
        }

        var keep = new List<object>();
        double none = PerConnection(new DeflateParameters { ServerNoContextTakeover = true, ClientNoContextTakeover = true }, keep);
        double both = PerConnection(new DeflateParameters(), keep);
        output.WriteLine($"per idle server connection after one compressed message each way: no context takeover {none / 1024:F1} KiB, context takeover both ways {both / 1024:F1} KiB (an upper bound: the freed client ends stay in the resident set)");

        Assert.True(both > none, $"{both} vs {none}");
        GC.KeepAlive(keep);
    }

    // The resident set, which counts zlib's native allocations as well as the managed heap.
    private static long Resident()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
