using Switchboard.Conformance.Tests.Model;
using Switchboard.Conformance.Tests.Wire;
using Xunit;
using Xunit.Abstractions;
using static Switchboard.Conformance.Tests.Wire.Frames;

namespace Switchboard.Conformance.Tests.Sections;

/// <summary>
/// Autobahn section 9 (limits and performance), held to correctness: large messages in one frame, in many
/// fragments, in small socket writes, and many round trips all come back byte for byte. Then the Echo sample's
/// 16 MiB message limit: one byte more is refused with 1009 before the payload is in (RFC 6455 section 7.4.1).
/// </summary>
public abstract class Limits(EchoServer echo, ITestOutputHelper output)
{
    private const int KiB = 1024;
    private const int MiB = 1024 * 1024;
    private const int MaxMessage = 16 * MiB;

    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    public static readonly CaseTable Cases = new(Build());

    public static TheoryData<string> Ids => Cases.Ids();

    [Theory]
    [MemberData(nameof(Ids))]
    public Task Autobahn(string id) => echo.RunAsync(Cases[id], output);

    private static string Size(int bytes) => bytes >= MiB ? $"{bytes / MiB} MiB" : bytes >= KiB ? $"{bytes / KiB} KiB" : $"{bytes} B";

    private static byte[] TextPayload(int length) => Repeat("BAsd7&jh23", length);

    private static byte[] BinaryPayload(int length) => Repeat([0xfe], length);

    private static ClientFrame Data(int opcode, byte[] payload, bool fin = true) => new() { Opcode = opcode, Payload = payload, Fin = fin };

    private static ClientFrame[] Fragmented(int opcode, byte[] payload, int size)
    {
        var frames = new List<ClientFrame>();
        for (var offset = 0; offset < payload.Length; offset += size)
        {
            var end = Math.Min(offset + size, payload.Length);
            frames.Add(Data(offset == 0 ? opcode : 0, payload[offset..end], fin: end == payload.Length));
        }
        return [.. frames];
    }

    private static ConformanceCase Echoed(ConformanceCase c, int opcode, byte[] payload) =>
        (opcode == 1 ? c.EchoText(payload) : c.EchoBinary(payload)).Within(Generous);

    private static IEnumerable<(string, Func<ConformanceCase>)> Build()
    {
        int[] single = [64 * KiB, 256 * KiB, MiB, 4 * MiB, 8 * MiB, 16 * MiB];
        int[] fragments = [64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB, 4 * MiB];
        int[] chops = [64, 128, 256, 512, 1024, 2048];
        int[] roundTrips = [0, 16, 64, 256, 1024, 4096];

        foreach (var (section, opcode, kind) in new[] { (1, 1, "text"), (2, 2, "binary") })
        {
            Func<int, byte[]> payloadOf = opcode == 1 ? TextPayload : BinaryPayload;
            foreach (var (i, size) in single.Index())
            {
                var id = $"9.{section}.{i + 1}";
                yield return (id, () =>
                {
                    var payload = payloadOf(size);
                    return Echoed(new ConformanceCase(id, $"{kind} message of {Size(size)} in one frame").Send(Data(opcode, payload)), opcode, payload);
                });
            }

            foreach (var (i, size) in fragments.Index())
            {
                var id = $"9.{section + 2}.{i + 1}";
                yield return (id, () =>
                {
                    var payload = payloadOf(4 * MiB);
                    return Echoed(new ConformanceCase(id, $"{kind} message of 4 MiB in fragments of {Size(size)}")
                        .Send(Fragmented(opcode, payload, size)), opcode, payload);
                });
            }

            foreach (var (i, chop) in chops.Index())
            {
                var id = $"9.{section + 4}.{i + 1}";
                yield return (id, () =>
                {
                    var payload = payloadOf(MiB);
                    return Echoed(new ConformanceCase(id, $"{kind} message of 1 MiB in one frame, written in chops of {chop} bytes")
                        .Then(new SendStep(Data(opcode, payload).ToBytes(), $"{kind} [1 MiB] in {chop}-byte chops", ChunkSize: chop)), opcode, payload);
                });
            }

            foreach (var (i, size) in roundTrips.Index())
            {
                var id = $"9.{section + 6}.{i + 1}";
                yield return (id, () =>
                {
                    var payload = payloadOf(size);
                    var c = new ConformanceCase(id, $"1000 {kind} messages of {Size(size)}, each sent after the previous echo")
                        .Then(new RoundTripStep(Data(opcode, payload), 1000, TimeSpan.FromSeconds(5))).Within(Generous);
                    for (var n = 0; n < 1000; n++) c.Expect(new ExpectMessage(opcode, payload));
                    return c;
                });
            }
        }

        // Beyond Autobahn: the largest message the Echo sample accepts, fragmented, and the first ones it refuses.
        yield return ("9.L.1", () =>
        {
            var payload = TextPayload(MaxMessage);
            return Echoed(new ConformanceCase("9.L.1", "text message of exactly 16 MiB (the limit) in 64 KiB fragments")
                .Send(Fragmented(1, payload, 64 * KiB)), 1, payload);
        });
        yield return ("9.L.2", () =>
        {
            var payload = BinaryPayload(MaxMessage);
            return Echoed(new ConformanceCase("9.L.2", "binary message of exactly 16 MiB (the limit) in 1 MiB fragments")
                .Send(Fragmented(2, payload, MiB)), 2, payload);
        });

        // The frame declares 16 MiB + 1 but only its header and 1 KiB follow: the refusal must not wait for the rest.
        yield return ("9.L.3", () => new ConformanceCase("9.L.3", "binary frame declaring 16 MiB + 1 byte: 1009 after its header, before the payload")
            .Then(new SendStep((Binary(BinaryPayload(KiB)) with { DeclaredLength = MaxMessage + 1UL }).ToBytes(),
                "binary header declaring 16777217 B, then 1 KiB of it", EndsMidFrame: true))
            .Fails(1009));
        yield return ("9.L.4", () => new ConformanceCase("9.L.4", "text frame declaring 16 MiB + 1 byte: 1009 after its header, before the payload")
            .Then(new SendStep((Text(TextPayload(KiB)) with { DeclaredLength = MaxMessage + 1UL }).ToBytes(),
                "text header declaring 16777217 B, then 1 KiB of it", EndsMidFrame: true))
            .Fails(1009));

        // 16 fragments of 1 MiB are fine; the 17th frame's header brings the message over the limit.
        yield return ("9.L.5", () => new ConformanceCase("9.L.5", "binary message of 16 MiB in 1 MiB fragments plus a 1-byte last fragment: 1009")
            .Send(Fragmented(2, BinaryPayload(MaxMessage), MiB).Select(f => f with { Fin = false }).Append(Continuation(Hex("fe"))).ToArray())
            .Fails(1009).Within(Generous));

        // A length of 2^62 (top bit clear, so legal framing) is simply too big.
        yield return ("9.L.6", () => new ConformanceCase("9.L.6", "binary frame declaring 2^62 bytes: 1009 at once")
            .Then(new SendStep((Binary(Hex("fefefefe")) with { DeclaredLength = 1UL << 62 }).ToBytes(), "binary header declaring 2^62 B, then 4 bytes", EndsMidFrame: true))
            .Fails(1009));
    }
}

/// <summary><see cref="Limits"/> against <c>Echo</c> on its standalone host.</summary>
public sealed class LimitsOnStandalone(EchoServer echo, ITestOutputHelper output) : Limits(echo, output), IClassFixture<EchoServer>;

/// <summary><see cref="Limits"/> against <c>Echo --host aspnetcore</c>.</summary>
public sealed class LimitsOnAspNetCore(AspNetCoreEchoServer echo, ITestOutputHelper output) : Limits(echo, output), IClassFixture<AspNetCoreEchoServer>;
