using Switchboard.Protocol;
using Switchboard.Tests.Framing;

namespace Switchboard.Tests.Protocol.Conformance;

/// <summary>
/// A conformance case (Autobahn's id and meaning, as in tests/Conformance.Tests) reduced to bytes: the client's writes,
/// the replies the echo server owes (messages and pongs, in order), and how it must close.
/// </summary>
/// <param name="Id">The Autobahn case id, or the suite's own.</param>
/// <param name="Writes">What the client writes, one entry per write: whole frames, or pieces of one.</param>
internal sealed record SocketlessCase(string Id, List<byte[]> Writes)
{
    public List<ReadItem> Replies { get; } = [];

    /// <summary>The server must fail the connection by itself; otherwise the client closes with 1000 after its writes (unless they closed).</summary>
    public bool ServerFails { get; private set; }

    /// <summary>Codes the server's close frame may carry; null for none.</summary>
    public int?[] Codes { get; private set; } = [1000];

    /// <summary>The write after which the server must have failed, and not before (Autobahn's fail-fast cases).</summary>
    public int? FailsAfterWrite { get; private set; }

    public SocketlessCase Echo(string text) => EchoText(ClientFrames.Utf8(text));

    public SocketlessCase EchoText(byte[] payload) => Reply(ReadItem.Message(Opcode.Text, payload));

    public SocketlessCase EchoBinary(byte[] payload) => Reply(ReadItem.Message(Opcode.Binary, payload));

    public SocketlessCase Pong(string payload) => Pong(ClientFrames.Utf8(payload));

    public SocketlessCase Pong(byte[] payload) => Reply(ReadItem.Control(Opcode.Pong, payload));

    public SocketlessCase Fails(params int?[] codes)
    {
        ServerFails = true;
        Codes = codes;
        return this;
    }

    public SocketlessCase FailsAfter(int write, int code)
    {
        FailsAfterWrite = write;
        return Fails(code);
    }

    public SocketlessCase Answered(params int?[] codes)
    {
        Codes = codes;
        return this;
    }

    public override string ToString() => Id;

    private SocketlessCase Reply(ReadItem item)
    {
        Replies.Add(item);
        return this;
    }
}
