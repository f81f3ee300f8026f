using Switchboard.Conformance.Tests.Model;
using Switchboard.Conformance.Tests.Wire;
using Xunit;
using Xunit.Abstractions;
using static Switchboard.Conformance.Tests.Wire.Frames;

namespace Switchboard.Conformance.Tests.Sections;

/// <summary>Autobahn section 1: text and binary messages at every length-encoding boundary (RFC 6455 section 5.2).</summary>
public abstract class Framing(EchoServer echo, ITestOutputHelper output)
{
    private static readonly int[] Lengths = [0, 125, 126, 127, 128, 65535, 65536];

    public static readonly CaseTable Cases = new(Build());

    public static TheoryData<string> Ids => Cases.Ids();

    [Theory]
    [MemberData(nameof(Ids))]
    public Task Autobahn(string id) => echo.RunAsync(Cases[id], output);

    private static IEnumerable<ConformanceCase> Build()
    {
        for (var i = 0; i < Lengths.Length; i++)
        {
            var text = Repeat("*", Lengths[i]);
            var binary = Repeat([0xfe], Lengths[i]);
            yield return new ConformanceCase($"1.1.{i + 1}", $"text message of {Lengths[i]} bytes").Send(Text(text)).EchoText(text);
            yield return new ConformanceCase($"1.2.{i + 1}", $"binary message of {Lengths[i]} bytes").Send(Binary(binary)).EchoBinary(binary);

            // Small frames again with every byte in its own write: the header itself arrives in pieces.
            if (Lengths[i] <= 128)
            {
                yield return new ConformanceCase($"1.1.{i + 1}/octets", $"text message of {Lengths[i]} bytes, octet-wise").Send(Delivery.OctetWise, Text(text)).EchoText(text);
                yield return new ConformanceCase($"1.2.{i + 1}/octets", $"binary message of {Lengths[i]} bytes, octet-wise").Send(Delivery.OctetWise, Binary(binary)).EchoBinary(binary);
            }
        }

        var big = Repeat("*", 65536);
        yield return new ConformanceCase("1.1.8", "text message of 65536 bytes written in chops of 997 bytes")
            .Then(new SendStep(Text(big).ToBytes(), "text [65536 B] in 997-byte chops", ChunkSize: 997)).EchoText(big);
        var bigBinary = Repeat([0xfe], 65536);
        yield return new ConformanceCase("1.2.8", "binary message of 65536 bytes written in chops of 997 bytes")
            .Then(new SendStep(Binary(bigBinary).ToBytes(), "binary [65536 B] in 997-byte chops", ChunkSize: 997)).EchoBinary(bigBinary);
    }
}

/// <summary><see cref="Framing"/> against <c>Echo</c> on its standalone host.</summary>
public sealed class FramingOnStandalone(EchoServer echo, ITestOutputHelper output) : Framing(echo, output), IClassFixture<EchoServer>;

/// <summary><see cref="Framing"/> against <c>Echo --host aspnetcore</c>.</summary>
public sealed class FramingOnAspNetCore(AspNetCoreEchoServer echo, ITestOutputHelper output) : Framing(echo, output), IClassFixture<AspNetCoreEchoServer>;
