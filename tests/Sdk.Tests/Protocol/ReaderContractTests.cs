using System.Buffers;
using Switchboard.Protocol;
using Switchboard.Protocol.Connection;
using Switchboard.Tests.Framing;
using Xunit;

namespace Switchboard.Tests.Protocol;

/// <summary>
/// The reader contract of the core (DESIGN.md principle 1): false means "need more", every prefix of a frame consumes
/// and writes nothing, nothing throws on any input, and after the end nothing more is read.
/// </summary>
public class ReaderContractTests
{
    public static TheoryData<string, string> Frames => new()
    {
        { "masked text", "81 85 37 FA 21 3D 7F 9F 4D 51 58" },
        { "masked ping", "89 85 37 FA 21 3D 7F 9F 4D 51 58" },
        { "masked close", "88 85 37 FA 21 3D 34 12 43 44 52" },
        { "masked binary of 256", "82 FE 01 00 37 FA 21 3D " + string.Concat(Enumerable.Repeat("00 ", 256)) },
        { "first fragment", "01 83 37 FA 21 3D 7F 9F 4D" },
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public void Every_prefix_needs_more_consumes_nothing_and_writes_nothing(string what, string hex)
    {
        byte[] wire = Hex.Bytes(hex);
        for (int length = 0; length < wire.Length; length++)
        {
            byte[] prefix = wire[..length];
            foreach (ReadOnlySequence<byte> input in new[] { new ReadOnlySequence<byte>(prefix), TestSegment.PerByte(prefix) })
            {
                var connection = new ProtocolConnection(WebSocketRole.Server);
                var output = new ArrayBufferWriter<byte>();
                Assert.False(connection.TryRead(input, output, out SequencePosition consumed, out SequencePosition examined, out ProtocolEvent e), $"{what}: prefix of {length}");
                Assert.Equal(input.Length, input.Slice(consumed).Length);
                Assert.Equal(0, input.Slice(examined).Length);
                Assert.Equal(ProtocolEventKind.None, e.Kind);
                Assert.Equal(0, output.WrittenCount);
                Assert.Equal(ProtocolState.Open, connection.State);
            }
        }
    }

    [Fact]
    public void Empty_input_needs_more()
    {
        var connection = new ProtocolConnection(WebSocketRole.Client);

        Assert.False(connection.TryRead(ReadOnlySequence<byte>.Empty, new ArrayBufferWriter<byte>(), out _, out _, out _));
    }

    [Fact]
    public void Random_bytes_never_throw_and_end_in_a_failure_or_need_more()
    {
        var random = new Random(14);
        for (int run = 0; run < 2000; run++)
        {
            byte[] bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            var connection = new ProtocolConnection(run % 2 == 0 ? WebSocketRole.Server : WebSocketRole.Client);
            var output = new ArrayBufferWriter<byte>();
            ReadOnlySequence<byte> input = TestSegment.Random(bytes, random);
            int guard = 0;
            while (connection.TryRead(input, output, out SequencePosition consumed, out _, out ProtocolEvent e))
            {
                input = input.Slice(consumed);
                Assert.True(++guard < 100, "no progress");
                if (e.Kind == ProtocolEventKind.Failed)
                {
                    Assert.Equal(ProtocolState.Closed, connection.State);
                }
            }
        }
    }

    [Fact]
    public void After_a_failure_everything_is_discarded()
    {
        var connection = new ProtocolConnection(WebSocketRole.Client);
        var output = new ArrayBufferWriter<byte>();
        Assert.True(connection.TryRead(new ReadOnlySequence<byte>(Hex.Bytes("C1 00")), output, out _, out _, out _));

        var more = new ReadOnlySequence<byte>(Hex.Bytes("81 01 61 89 00"));
        Assert.False(connection.TryRead(more, output, out SequencePosition consumed, out SequencePosition examined, out _));

        Assert.Equal(0, more.Slice(consumed).Length);
        Assert.Equal(0, more.Slice(examined).Length);
    }

    [Fact]
    public void Null_output_is_refused()
    {
        var connection = new ProtocolConnection(WebSocketRole.Client);

        Assert.Throws<ArgumentNullException>(() => connection.TryRead(ReadOnlySequence<byte>.Empty, null!, out _, out _, out _));
        Assert.Throws<ArgumentNullException>(() => connection.Send(null!, Opcode.Text, "a"u8));
        Assert.Throws<ArgumentNullException>(() => connection.Close(null!));
        Assert.Throws<ArgumentNullException>(() => connection.OnTimer(null!));
    }

    [Fact]
    public void Random_mask_keys_differ()
    {
        var keys = Enumerable.Range(0, 8).Select(_ => MaskKeySource.Random.NextKey()).ToHashSet();

        Assert.True(keys.Count > 1);
    }
}
