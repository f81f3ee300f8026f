namespace Switchboard.Tests.Client;

/// <summary>The message the scripted servers of the recovery tests send, with or without a group position.</summary>
[Message("room.said")]
public sealed partial record Said(string Text);
