using Switchboard;

namespace Switchboard.Server.Tests;

/// <summary>Asks the server to add two numbers, or to fail in a chosen way (<see cref="Mode"/>).</summary>
[Message("test.sum"), RequestErrors(typeof(SumDenied))]
public sealed partial record Sum(int A, int B, string Mode = "") : IRequest<SumResult>;

/// <summary>The answer to a <see cref="Sum"/>.</summary>
[Message("test.sum.result")]
public sealed partial record SumResult(int Total);

/// <summary>The typed error of a <see cref="Sum"/>.</summary>
[Message("test.sum.denied")]
public sealed partial record SumDenied(string Reason) : IRequestError;

/// <summary>A typed error that <see cref="Sum"/> does not declare.</summary>
[Message("test.other.denied")]
public sealed partial record OtherDenied(string Reason) : IRequestError;

/// <summary>A request no endpoint of the tests handles.</summary>
[Message("test.unanswered")]
public sealed partial record Unanswered(int N) : IRequest<SumResult>;
