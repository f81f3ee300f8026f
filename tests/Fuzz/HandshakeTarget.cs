using System.Buffers;
using Switchboard.Protocol.Handshake;
using Switchboard.Protocol.Http;
using Switchboard.Server.Handshake;
using Switchboard.Server.Http;

namespace Switchboard.Fuzz;

/// <summary>
/// The opening handshake target (RFC 6455 section 4, RFC 9112). The same bytes go to the server side, as a request
/// (<see cref="HttpRequestParser"/>, then <see cref="WebSocketUpgrade.TryValidate"/> for a head it accepts), and to the
/// client side, as the response to a fixed request (<see cref="ClientHandshake.TryReadResponse"/>). The parsers must
/// never throw and must only report their typed errors (<see cref="HttpError"/>, <see cref="HandshakeError"/>,
/// <see cref="ClientHandshakeError"/>); a verdict must not depend on how the bytes are segmented, a verdict reached on
/// a prefix must be the verdict on the whole, and an accepted request must lead to a response that a client with the
/// same key accepts.
/// </summary>
public static class HandshakeTarget
{
    /// <summary>The target's name on the command line and under <c>corpus/</c>.</summary>
    public const string Name = "handshake";

    /// <summary>The key of the client-side request: the sample nonce of RFC 6455 section 1.3.</summary>
    public const string ClientKey = "dGhlIHNhbXBsZSBub25jZQ==";

    /// <summary>The accept value for <see cref="ClientKey"/> (RFC 6455 section 1.3).</summary>
    public const string ClientAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    private static readonly ClientHandshake s_client =
        ClientHandshake.CreateWithKey(new Uri("ws://example.com/chat"), ["chat", "superchat"], "http://example.com", null, ClientKey);

    private static readonly HttpHeadLimits s_tight = new() { MaxHeaderBytes = 160, MaxHeaderCount = 4 };

    // The server's default body cap, and a tight one.
    private const long DefaultMaxBody = 1024 * 1024;
    private const long TightMaxBody = 10;

    /// <summary>Runs every check on <paramref name="input"/>.</summary>
    /// <param name="input">Bytes a server receives as a request, or a client as the response.</param>
    /// <returns>The verdict; an input is accepted when the server or the client side accepts it.</returns>
    /// <exception cref="FuzzInvariantException">A parser broke its contract.</exception>
    public static FuzzOutcome Run(ReadOnlySpan<byte> input)
    {
        byte[] bytes = input.ToArray();
        ServerVerdict server = CheckServer(bytes, HttpHeadLimits.Default, DefaultMaxBody, salt: 10);
        _ = CheckServer(bytes, s_tight, TightMaxBody, salt: 20);
        ClientVerdict client = CheckClient(bytes);
        bool accepted = (server.Done && server.HttpError == HttpError.None && server.Error == HandshakeError.None) || (client.Done && client.Error == ClientHandshakeError.None);
        return new FuzzOutcome(accepted, $"server: {(server.HttpError != HttpError.None ? server.HttpError.ToString() : Describe(server.Done, server.Error))}; client: {Describe(client.Done, client.Error)}");
    }

    private static string Describe<TError>(bool done, TError error) => done ? $"{error}" : "incomplete";

    private static ServerVerdict CheckServer(byte[] bytes, HttpHeadLimits limits, long maxBody, ulong salt)
    {
        ServerVerdict whole = ParseRequest(new ReadOnlySequence<byte>(bytes), limits, maxBody);
        var random = new InputRandom(bytes, salt);
        ServerVerdict segmented = ParseRequest(Segment.Split(bytes, ref random, 12), limits, maxBody);
        FuzzInvariantException.Check(whole == segmented, $"request verdict {whole} whole, {segmented} in segments");

        foreach (int cut in Cuts(bytes.Length, ref random))
        {
            ServerVerdict prefix = ParseRequest(new ReadOnlySequence<byte>(bytes, 0, cut), limits, maxBody);
            FuzzInvariantException.Check(!prefix.Done || prefix == whole, $"request verdict {prefix} on {cut} bytes, {whole} on all {bytes.Length}");
        }

        if (whole.Done && whole.HttpError != HttpError.None)
        {
            FuzzInvariantException.Check(whole.HttpError.ToStatusCode() is >= 400 and <= 599, $"{whole.HttpError} maps to status {whole.HttpError.ToStatusCode()}");
            HttpResponseWriter.WriteError(new ArrayBufferWriter<byte>(), whole.HttpError);
        }
        else if (whole.Done && whole.Error == HandshakeError.None)
        {
            CheckAcceptedByClient(whole);
        }
        else if (whole.Done)
        {
            HandshakeResponse.WriteReject(new ArrayBufferWriter<byte>(), whole.Error);
            FuzzInvariantException.Check(whole.Error.ToStatusCode() is >= 400 and <= 599, $"{whole.Error} maps to status {whole.Error.ToStatusCode()}");
        }

        return whole;
    }

    // The server's path: the one request-head parser, then the upgrade rules for a head it accepted.
    private static ServerVerdict ParseRequest(in ReadOnlySequence<byte> input, HttpHeadLimits limits, long maxBody)
    {
        bool done = HttpRequestParser.TryParse(input, limits, maxBody, out SequencePosition consumed, out SequencePosition examined, out HttpRequestHead? head, out HttpError httpError);
        long consumedLength = input.Slice(input.Start, consumed).Length;
        long examinedLength = input.Slice(input.Start, examined).Length;
        FuzzInvariantException.Check(Enum.IsDefined(httpError), $"undefined HttpError {httpError}");
        if (!done || httpError != HttpError.None)
        {
            FuzzInvariantException.Check(httpError == HttpError.None || done, "an error without a verdict");
            FuzzInvariantException.Check(head is null && consumedLength == 0 && examinedLength == input.Length, "a refusal or need-more consumed bytes or returned a head");
            return new ServerVerdict(done, httpError, HandshakeError.None, 0, null, null, null);
        }

        FuzzInvariantException.Check(head is not null && consumedLength > 0 && examinedLength == consumedLength, "an accepted head without a head or a consumed head");
        _ = head!.GetHeader("Connection");
        _ = head.HasToken("Connection", "close");
        _ = (head.KeepAlive, head.ExpectsContinue, head.ContentLength, head.Path, head.Query, head.Host);
        _ = WebSocketUpgrade.IsUpgradeRequest(head);
        bool valid = WebSocketUpgrade.TryValidate(head, out HandshakeRequest? request, out HandshakeError error);
        FuzzInvariantException.Check(Enum.IsDefined(error), $"undefined HandshakeError {error}");
        FuzzInvariantException.Check(valid == (error == HandshakeError.None) && valid == (request is not null), $"upgrade verdict {valid} with {error}");
        return valid
            ? new ServerVerdict(true, HttpError.None, error, consumedLength, Summarize(request!), request!.Key, request.Subprotocols.Count == 0 ? null : request.Subprotocols[0])
            : new ServerVerdict(true, HttpError.None, error, consumedLength, null, null, null);
    }

    private static string Summarize(HandshakeRequest request)
    {
        // Every accessor a server uses, so that none of them can throw on what the parser let through.
        _ = request.GetHeader("Host");
        _ = request.GetHeader("Sec-WebSocket-Protocol");
        return string.Join(
            "\n",
            request.Method,
            request.Target,
            request.Path,
            request.Query,
            request.Host,
            request.Key,
            request.Origin ?? "(none)",
            string.Join(",", request.Subprotocols),
            string.Join(",", request.Headers.Select(h => $"{h.Key}={h.Value}")));
    }

    // RFC 6455 section 4.2.2: the 101 a server writes for an accepted request completes a client's handshake.
    private static void CheckAcceptedByClient(ServerVerdict accepted)
    {
        string key = accepted.Key!;
        string? subprotocol = accepted.Subprotocol;
        var response = new ArrayBufferWriter<byte>();
        HandshakeResponse.WriteAccept(response, key, subprotocol);
        var client = ClientHandshake.CreateWithKey(
            new Uri("ws://example.com/"), subprotocol is null ? null : [subprotocol], null, null, key);
        bool done = client.TryReadResponse(
            new ReadOnlySequence<byte>(response.WrittenMemory), out _, out _, out ClientHandshakeError error, out int status, out string? selected);
        FuzzInvariantException.Check(done && error == ClientHandshakeError.None && status == 101 && selected == subprotocol, $"the 101 for an accepted request is refused by its client: {error}");
    }

    private static ClientVerdict CheckClient(byte[] bytes)
    {
        ClientVerdict whole = ParseResponse(new ReadOnlySequence<byte>(bytes));
        var random = new InputRandom(bytes, 30);
        ClientVerdict segmented = ParseResponse(Segment.Split(bytes, ref random, 12));
        FuzzInvariantException.Check(whole == segmented, $"response verdict {whole} whole, {segmented} in segments");
        foreach (int cut in Cuts(bytes.Length, ref random))
        {
            ClientVerdict prefix = ParseResponse(new ReadOnlySequence<byte>(bytes, 0, cut));
            FuzzInvariantException.Check(!prefix.Done || prefix == whole, $"response verdict {prefix} on {cut} bytes, {whole} on all {bytes.Length}");
        }

        return whole;
    }

    private static ClientVerdict ParseResponse(in ReadOnlySequence<byte> input)
    {
        bool done = s_client.TryReadResponse(input, out SequencePosition consumed, out SequencePosition examined, out ClientHandshakeError error, out int status, out string? subprotocol);
        long consumedLength = input.Slice(input.Start, consumed).Length;
        long examinedLength = input.Slice(input.Start, examined).Length;
        FuzzInvariantException.Check(Enum.IsDefined(error), $"undefined ClientHandshakeError {error}");
        FuzzInvariantException.Check(status is >= 0 and <= 999, $"status {status}");
        if (done && error == ClientHandshakeError.None)
        {
            FuzzInvariantException.Check(status == 101 && consumedLength > 0 && examinedLength == consumedLength, "an accepted response without a 101 or a consumed head");
            FuzzInvariantException.Check(subprotocol is null or "chat" or "superchat", $"subprotocol {subprotocol} was never offered");
        }
        else
        {
            FuzzInvariantException.Check(error == ClientHandshakeError.None || done, "an error without a verdict");
            FuzzInvariantException.Check(consumedLength == 0 && examinedLength == input.Length && subprotocol is null, "a refusal or need-more consumed bytes");
            FuzzInvariantException.Check(error != ClientHandshakeError.NotSwitchingProtocols || status != 101, "101 reported as not switching protocols");
        }

        return new ClientVerdict(done, error, status, consumedLength, subprotocol);
    }

    // Input-derived prefix lengths, plus the one-byte-short prefix where most "need more" bugs hide.
    private static List<int> Cuts(int length, ref InputRandom random)
    {
        if (length == 0)
        {
            return [];
        }

        var cuts = new List<int>(9) { length - 1 };
        for (int i = 0; i < 8; i++)
        {
            cuts.Add(random.Next(length));
        }

        return cuts;
    }

    private readonly record struct ServerVerdict(bool Done, HttpError HttpError, HandshakeError Error, long Consumed, string? Request, string? Key, string? Subprotocol);

    private readonly record struct ClientVerdict(bool Done, ClientHandshakeError Error, int Status, long Consumed, string? Subprotocol);
}
