namespace Switchboard.Tests.Client;

/// <summary>Asks the real endpoint of <see cref="RealServerRecoveryTests"/> to join a group, replaying the last <see cref="History"/>.</summary>
[Message("room.enter")]
public sealed partial record Enter(string Group, int History);

/// <summary>The endpoint's answer to <see cref="Enter"/>, after the notice and the replay.</summary>
[Message("room.entered")]
public sealed partial record Entered(string Group, string Recovered, long Offset);

/// <summary>Asks the real endpoint to send <see cref="Said"/> with <see cref="Text"/> to <see cref="Group"/>.</summary>
[Message("room.say")]
public sealed partial record Say(string Group, string Text);
