using Switchboard;

namespace Switchboard.AspNetCore.Tests;

/// <summary>Asks the test endpoint for a <see cref="Reply"/>.</summary>
[Message("test.ask")]
public sealed partial record Ask(string Text);

/// <summary>The answer: the text, the route value <c>room</c> and the connection's user, as the endpoint saw them.</summary>
[Message("test.reply")]
public sealed partial record Reply(string Text, string? Room, string? User);
