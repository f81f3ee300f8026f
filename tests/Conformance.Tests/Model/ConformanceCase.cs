using Switchboard.Conformance.Tests.Wire;

namespace Switchboard.Conformance.Tests.Model;

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
