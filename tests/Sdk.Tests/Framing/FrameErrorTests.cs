using Switchboard.Protocol;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Framing;

/// <summary>Every <see cref="FrameError"/>: an input that produces it, its close code and its reason text.</summary>
public class FrameErrorTests
{
    private static readonly FrameReaderOptions Small = new() { MaxFrameSize = 100, MaxMessageSize = 150, MaxFragments = 3 };

    /// <summary>Per error: the reading role and wire bytes that trigger it with <see cref="Small"/> limits.</summary>
    private static readonly Dictionary<FrameError, (WebSocketRole Role, string Wire)> Catalog = new()
    {
        [FrameError.ReservedBitsSet] = (WebSocketRole.Client, "C1 00"),
        [FrameError.ReservedOpcode] = (WebSocketRole.Client, "83 00"),
        [FrameError.ControlFrameTooLong] = (WebSocketRole.Client, "89 7E 00 7E"),
        [FrameError.ControlFrameFragmented] = (WebSocketRole.Client, "09 00"),
        [FrameError.UnmaskedClientFrame] = (WebSocketRole.Server, "81 00"),
        [FrameError.MaskedServerFrame] = (WebSocketRole.Client, "81 80 00 00 00 00"),
        [FrameError.PayloadLengthTopBitSet] = (WebSocketRole.Client, "82 7F 80 00 00 00 00 00 00 01"),
        [FrameError.NonMinimalLength] = (WebSocketRole.Client, "82 7E 00 05"),
        [FrameError.UnexpectedContinuation] = (WebSocketRole.Client, "80 00"),
        [FrameError.ExpectedContinuation] = (WebSocketRole.Client, "01 00 81 00"),
        [FrameError.InvalidUtf8] = (WebSocketRole.Client, "81 01 FF"),
        [FrameError.InvalidClosePayload] = (WebSocketRole.Client, "88 01 03"),
        [FrameError.InvalidCloseCode] = (WebSocketRole.Client, "88 02 03 ED"),
        [FrameError.InvalidCloseReason] = (WebSocketRole.Client, "88 03 03 E8 FF"),
        [FrameError.FrameTooBig] = (WebSocketRole.Client, "82 65"),
        [FrameError.MessageTooBig] = (WebSocketRole.Client, "02 64" + string.Concat(Enumerable.Repeat(" 00", 100)) + " 80 33"),
        [FrameError.TooManyFragments] = (WebSocketRole.Client, "01 01 61 00 01 62 00 01 63 80 01 64"),
    };

    // Bad deflate data is found by the connection that inflates, not by the frame reader (Compression/DeflateBombTests).
    private static IEnumerable<FrameError> ReaderErrors => Enum.GetValues<FrameError>().Where(e => e is not (FrameError.None or FrameError.InvalidCompressedData));

    public static TheoryData<FrameError> Errors => [.. ReaderErrors];

    [Fact]
    public void Catalog_covers_every_error()
    {
        Assert.Equal(ReaderErrors.Order(), Catalog.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public void Reader_produces_the_error(FrameError error)
    {
        var (role, wire) = Catalog[error];

        foreach (Transcript transcript in new[]
        {
            ReaderDriver.ReadWhole(Hex.Bytes(wire), role, Small),
            ReaderDriver.ReadBytewise(Hex.Bytes(wire), role, Small),
            ReaderDriver.Read(Hex.Bytes(wire), role, Small, [], TestSegment.PerByte),
        })
        {
            Assert.Equal(ReadItem.Failure(error), transcript.Items[^1]);
        }
    }

    [Theory]
    [InlineData(FrameError.InvalidUtf8, CloseCode.InvalidPayloadData)]
    [InlineData(FrameError.InvalidCloseReason, CloseCode.InvalidPayloadData)]
    [InlineData(FrameError.InvalidCompressedData, CloseCode.InvalidPayloadData)]
    [InlineData(FrameError.FrameTooBig, CloseCode.MessageTooBig)]
    [InlineData(FrameError.MessageTooBig, CloseCode.MessageTooBig)]
    [InlineData(FrameError.ReservedBitsSet, CloseCode.ProtocolError)]
    [InlineData(FrameError.ReservedOpcode, CloseCode.ProtocolError)]
    [InlineData(FrameError.ControlFrameTooLong, CloseCode.ProtocolError)]
    [InlineData(FrameError.ControlFrameFragmented, CloseCode.ProtocolError)]
    [InlineData(FrameError.UnmaskedClientFrame, CloseCode.ProtocolError)]
    [InlineData(FrameError.MaskedServerFrame, CloseCode.ProtocolError)]
    [InlineData(FrameError.PayloadLengthTopBitSet, CloseCode.ProtocolError)]
    [InlineData(FrameError.NonMinimalLength, CloseCode.ProtocolError)]
    [InlineData(FrameError.UnexpectedContinuation, CloseCode.ProtocolError)]
    [InlineData(FrameError.ExpectedContinuation, CloseCode.ProtocolError)]
    [InlineData(FrameError.InvalidClosePayload, CloseCode.ProtocolError)]
    [InlineData(FrameError.InvalidCloseCode, CloseCode.ProtocolError)]
    public void Maps_to_its_close_code(FrameError error, CloseCode expected)
    {
        Assert.Equal(expected, error.ToCloseCode());
    }

    [Fact]
    public void Descriptions_fit_a_close_frame_and_are_distinct()
    {
        FrameError[] all = Enum.GetValues<FrameError>();
        foreach (FrameError error in all)
        {
            string reason = error.Describe();
            Assert.False(string.IsNullOrWhiteSpace(reason));
            Assert.True(reason.Length <= 123, error.ToString());
            Assert.True(reason.All(char.IsAscii), error.ToString());
        }

        Assert.Equal(all.Length, all.Select(e => e.Describe()).Distinct().Count());
    }
}
