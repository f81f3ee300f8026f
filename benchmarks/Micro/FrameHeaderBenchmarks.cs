using System.Buffers;
using BenchmarkDotNet.Attributes;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;

namespace Switchboard.Benchmarks.Micro;

/// <summary>Reading and writing one frame header (RFC 6455 section 5.2), masked as a client sends it.</summary>
[Config(typeof(MicroConfig))]
public class FrameHeaderBenchmarks
{
    private readonly byte[] _header = new byte[FrameWriter.MaxHeaderLength];
    private ReadOnlySequence<byte> _input;

    [Params(32, 1024, 70_000)]
    public int PayloadLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var length = FrameWriter.WriteHeader(_header, fin: true, Opcode.Text, PayloadLength, 0x12345678);
        _input = new ReadOnlySequence<byte>(_header, 0, length);
    }

    [Benchmark]
    public long Parse()
    {
        FrameHeader.TryRead(_input, out var header, out _);
        return header.PayloadLength;
    }

    [Benchmark]
    public int Write() => FrameWriter.WriteHeader(_header, fin: true, Opcode.Text, PayloadLength, 0x12345678);
}
