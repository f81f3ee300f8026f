using Switchboard.Protocol.Http;

namespace Switchboard.Server.Http;

/// <summary>
/// What a request head must satisfy beyond HTTP/1.1 syntax, judged piece by piece while
/// <see cref="HttpHeadScanner"/> walks the head, so a verdict can come before the head is complete.
/// Implemented by structs, so the scanner is specialized per rule set and calls them without boxing.
/// </summary>
internal interface IHeadRules
{
    /// <summary>Judges the request line, already known to be well formed; false rejects the request.</summary>
    bool AcceptRequestLine(ReadOnlySpan<byte> method, ReadOnlySpan<byte> version);

    /// <summary>Judges one well-formed field line, in arrival order; false rejects the request.</summary>
    bool AcceptField(KnownHeader header, ReadOnlySpan<byte> value);

    /// <summary>Judges what must hold once the blank line has arrived; false rejects the request.</summary>
    bool AcceptHead();
}
