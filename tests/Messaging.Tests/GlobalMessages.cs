using Switchboard;

/// <summary>A message in the global namespace.</summary>
[Message("test.global")]
public partial record GlobalMessage(string Text);
