using Switchboard;

namespace Switchboard.Server.Tests;

/// <summary>Asks the test endpoint to send a <see cref="Note"/> to a set of connections.</summary>
[Message("test.route")]
public sealed partial record Route(string Target, string? Name, int Seq);

/// <summary>What the recipients get: who asked, and which request it was.</summary>
[Message("test.note")]
public sealed partial record Note(string From, int Seq);
