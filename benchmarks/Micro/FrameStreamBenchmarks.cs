using System.Buffers;
using BenchmarkDotNet.Attributes;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;

namespace Switchboard.Benchmarks.Micro;

/// <summary>
/// A server reading one buffer of back-to-back small masked text frames, as after one socket read under load:
/// header checks, unmasking and UTF-8 validation of every frame. Frames/s = FramesPerBuffer / mean time.
/// </summary>
[Config(typeof(MicroConfig))]
public class FrameStreamBenchmarks
{
    public const int FramesPerBuffer = 1000;

    private byte[] _masked = [];
    private byte[] _work = [];

    [Params(32, 256)]
    public int PayloadLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var writer = new ArrayBufferWriter<byte>();
        var payload = new byte[PayloadLength];
        for (var i = 0; i < payload.Length; i++) payload[i] = (byte)('a' + i % 26);
        for (var i = 0; i < FramesPerBuffer; i++) FrameWriter.WriteFrame(writer, Opcode.Text, payload, fin: true, maskKey: 0x01020304u + (uint)i);
        _masked = writer.WrittenSpan.ToArray();
        _work = new byte[_masked.Length];
    }

    [Benchmark(OperationsPerInvoke = FramesPerBuffer)]
    public long ParseBuffer()
    {
        // The reader unmasks in place, so each run reads a fresh copy of the masked bytes.
        _masked.AsSpan().CopyTo(_work);
        var reader = new FrameReader(WebSocketRole.Server);
        var buffer = new ReadOnlySequence<byte>(_work);
        long total = 0;
        while (reader.TryRead(buffer, out var consumed, out _, out var frame))
        {
            total += frame.Payload.Length;
            buffer = buffer.Slice(consumed);
        }
        return total;
    }
}
