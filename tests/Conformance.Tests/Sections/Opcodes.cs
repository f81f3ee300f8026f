using Switchboard.Conformance.Tests.Model;
using Switchboard.Conformance.Tests.Wire;
using Xunit;
using Xunit.Abstractions;
using static Switchboard.Conformance.Tests.Wire.Frames;

namespace Switchboard.Conformance.Tests.Sections;

/// <summary>Autobahn section 4: reserved opcodes 3-7 and 11-15 fail the connection (RFC 6455 section 5.2).</summary>
public abstract class Opcodes(EchoServer echo, ITestOutputHelper output)
{
    public static readonly CaseTable Cases = new(Build());

    public static TheoryData<string> Ids => Cases.Ids();

    [Theory]
    [MemberData(nameof(Ids))]
    public Task Autobahn(string id) => echo.RunAsync(Cases[id], output);

    private static IEnumerable<ConformanceCase> Build()
    {
        foreach (var (group, first) in new[] { (1, 3), (2, 11) })
        {
            var kind = group == 1 ? "non-control" : "control";
            for (var j = 0; j < 5; j++)
            {
                var opcode = first + j;
                // As in Autobahn: cases x.2, x.4 and x.5 carry a payload, x.1 and x.3 do not.
                var reserved = new ClientFrame { Opcode = opcode, Payload = j is 1 or 3 or 4 ? Utf8("reserved opcode payload") : default };
                var id = $"4.{group}.{j + 1}";
                if (j < 2)
                {
                    yield return new ConformanceCase(id, $"reserved {kind} opcode {opcode}").Send(reserved).Fails(1002);
                }
                else
                {
                    yield return new ConformanceCase(id, $"text, reserved {kind} opcode {opcode}, ping: text echoed, then failure, no pong")
                        .Send(Text("Hello, world!"), reserved, Ping()).Echo("Hello, world!").Fails(1002);
                }
            }
        }
    }
}

/// <summary><see cref="Opcodes"/> against <c>Echo</c> on its standalone host.</summary>
public sealed class OpcodesOnStandalone(EchoServer echo, ITestOutputHelper output) : Opcodes(echo, output), IClassFixture<EchoServer>;

/// <summary><see cref="Opcodes"/> against <c>Echo --host aspnetcore</c>.</summary>
public sealed class OpcodesOnAspNetCore(AspNetCoreEchoServer echo, ITestOutputHelper output) : Opcodes(echo, output), IClassFixture<AspNetCoreEchoServer>;
