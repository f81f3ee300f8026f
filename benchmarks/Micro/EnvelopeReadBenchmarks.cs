using System.Text;
using BenchmarkDotNet.Attributes;
using Switchboard.Messaging;

namespace Switchboard.Benchmarks.Micro;

/// <summary>
/// <see cref="Envelope.TryRead(ReadOnlySpan{byte}, out EnvelopeHeader, out EnvelopeError, System.Text.Json.JsonReaderOptions)"/>
/// on a <c>chat.message</c> envelope as most arrive (no id, no position), with an id, and with the <c>group</c> and
/// <c>offset</c> of a message from a group's history: the position must cost the envelopes without one nothing.
/// </summary>
[Config(typeof(MicroConfig))]
public class EnvelopeReadBenchmarks
{
    private readonly byte[] _plain = Encoding.UTF8.GetBytes(
        """{"type":"chat.message","data":{"sender":"alice","text":"Hello there! How is everyone doing today?","sentAt":"2026-11-24T10:00:00+00:00"}}""");

    private readonly byte[] _withId = Encoding.UTF8.GetBytes(
        """{"type":"chat.message","id":"r-42","data":{"sender":"alice","text":"Hello there! How is everyone doing today?","sentAt":"2026-11-24T10:00:00+00:00"}}""");

    private readonly byte[] _withPosition = Encoding.UTF8.GetBytes(
        """{"type":"chat.message","data":{"sender":"alice","text":"Hello there! How is everyone doing today?","sentAt":"2026-11-24T10:00:00+00:00"},"group":"room","offset":17}""");

    [Benchmark(Baseline = true)]
    public long TryRead_Plain() => Envelope.TryRead(_plain, out var header, out _) ? header.DataLength : -1;

    [Benchmark]
    public long TryRead_WithId() => Envelope.TryRead(_withId, out var header, out _) ? header.DataLength : -1;

    [Benchmark]
    public long TryRead_WithPosition() => Envelope.TryRead(_withPosition, out var header, out _) ? header.DataLength : -1;
}
