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

/// <summary>
/// One conformance case: what the client sends, what the server must send back, and how the connection must end.
/// Modeled on Autobahn|Testsuite cases (their <c>expected[OK]</c> and <c>expectedClose</c>) and named after them.
/// </summary>
public sealed class ConformanceCase
{
    public ConformanceCase(string id, string description)
    {
        Id = id;
        Description = description;
    }

    public string Id { get; }

    public string Description { get; }

    public List<CaseStep> Steps { get; } = [];

    public List<Expected> Frames { get; } = [];

    public CloseExpectation Close { get; private set; } = CloseExpectation.Normal;

    /// <summary>How long the case may take from its last step to the server ending TCP.</summary>
    public TimeSpan Deadline { get; private set; } = TimeSpan.FromSeconds(5);

    public ConformanceCase Send(params ClientFrame[] frames) => Send(Delivery.OneWrite, frames);

    public ConformanceCase Send(Delivery delivery, params ClientFrame[] frames) => Then(Model.Steps.Send(delivery, frames));

    public ConformanceCase Then(IEnumerable<CaseStep> steps)
    {
        Steps.AddRange(steps);
        return this;
    }

    public ConformanceCase Then(CaseStep step)
    {
        Steps.Add(step);
        return this;
    }

    public ConformanceCase Expect(params Expected[] frames)
    {
        Frames.AddRange(frames);
        return this;
    }

    public ConformanceCase Echo(string text) => Expect(new ExpectMessage(1, Wire.Frames.Utf8(text)));

    public ConformanceCase EchoText(byte[] payload) => Expect(new ExpectMessage(1, payload));

    public ConformanceCase EchoBinary(byte[] payload) => Expect(new ExpectMessage(2, payload));

    public ConformanceCase Pong(string payload) => Expect(new ExpectPong(Wire.Frames.Utf8(payload)));

    public ConformanceCase Pong(byte[] payload) => Expect(new ExpectPong(payload));

    public ConformanceCase Ends(CloseExpectation close)
    {
        Close = close;
        return this;
    }

    public ConformanceCase Fails(params int?[] codes) => Ends(CloseExpectation.Fails(codes));

    public ConformanceCase Within(TimeSpan deadline)
    {
        Deadline = deadline;
        return this;
    }

    public override string ToString() => Id;
}

/// <summary>A section's cases, looked up by id from a theory's data.</summary>
public sealed class CaseTable
{
    private readonly Dictionary<string, Func<ConformanceCase>> _cases = new(StringComparer.Ordinal);

    public CaseTable(IEnumerable<ConformanceCase> cases)
    {
        foreach (var c in cases) Add(c.Id, () => c);
    }

    /// <summary>Cases built only when run, for those whose payloads take megabytes.</summary>
    public CaseTable(IEnumerable<(string Id, Func<ConformanceCase> Make)> cases)
    {
        foreach (var (id, make) in cases) Add(id, make);
    }

    public ConformanceCase this[string id]
    {
        get
        {
            var c = _cases[id]();
            return c.Id == id ? c : throw new InvalidOperationException($"case {id} built as {c.Id}");
        }
    }

    private void Add(string id, Func<ConformanceCase> make)
    {
        if (!_cases.TryAdd(id, make)) throw new InvalidOperationException($"case {id} is defined twice");
    }

    public int Count => _cases.Count;

    public Xunit.TheoryData<string> Ids()
    {
        var data = new Xunit.TheoryData<string>();
        foreach (var id in _cases.Keys) data.Add(id);
        return data;
    }
}
