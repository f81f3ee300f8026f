using Switchboard.Conformance.Tests.Wire;

namespace Switchboard.Conformance.Tests.Model;

/// <summary>A frame or message the server must send, compared exactly and in order.</summary>
public abstract record Expected;

/// <summary>A complete data message (however the server fragments it) with this opcode and payload.</summary>
public sealed record ExpectMessage(int Opcode, byte[] Payload) : Expected
{
    public override string ToString() => $"{(Opcode == 1 ? "text" : "binary")} message {Describe.Payload(Payload)}";
}

/// <summary>A pong with exactly this payload.</summary>
public sealed record ExpectPong(byte[] Payload) : Expected
{
    public override string ToString() => $"pong {Describe.Payload(Payload)}";
}

/// <summary>Who starts the closing handshake and which status codes the server's close frame may carry.</summary>
/// <param name="ServerFails">The server must fail the connection by itself; otherwise the client closes (with 1000 unless the steps already sent a close).</param>
/// <param name="Codes">Accepted codes; null stands for a close frame without a status code.</param>
public sealed record CloseExpectation(bool ServerFails, IReadOnlyList<int?> Codes)
{
    public static CloseExpectation Normal { get; } = new(false, [1000]);

    public static CloseExpectation Fails(params int?[] codes) => new(true, codes);

    /// <summary>The client's close is answered with one of <paramref name="codes"/>.</summary>
    public static CloseExpectation Answered(params int?[] codes) => new(false, codes);

    public override string ToString() =>
        (ServerFails ? "server fails the connection with close " : "server answers the client's close with close ")
        + string.Join(" or ", Codes.Select(c => c?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(no status)"))
        + ", then ends TCP";
}
