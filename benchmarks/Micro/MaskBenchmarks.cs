using BenchmarkDotNet.Attributes;
using Switchboard.Protocol.Framing;

namespace Switchboard.Benchmarks.Micro;

/// <summary>Unmasking in place (RFC 6455 section 5.3) next to a plain memory copy of the same size.</summary>
[Config(typeof(MicroConfig))]
public class MaskBenchmarks
{
    private byte[] _data = [];
    private byte[] _copy = [];

    [Params(16, 1024, 64 * 1024, 16 * 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Size];
        _copy = new byte[Size];
        new Random(42).NextBytes(_data);
    }

    [Benchmark(Baseline = true)]
    public void MemoryCopy() => _data.AsSpan().CopyTo(_copy);

    [Benchmark]
    public int Unmask() => Mask.Apply(_data, 0xA1B2C3D4, 1);
}
