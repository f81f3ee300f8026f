using Switchboard;

namespace Switchboard.Server.Tests;

/// <summary>A message whose text must never go compressed: an attacker who adds guesses to a compressed stream learns it.</summary>
[Message("test.secret", Compress = false)]
public sealed partial record Secret(string Token);
