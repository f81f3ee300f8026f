namespace Switchboard.Messaging;

/// <summary>
/// A place in a group's history: the history's epoch and the offset of a message in it. A client that reconnects (over either transport)
/// presents the position of the last message it got; the offsets after it are what it missed.
/// </summary>
/// <remarks>
/// <see cref="Client.SwitchboardClient.Positions"/> holds one per group; an app that saves them can start a later
/// client from them with <see cref="Client.SwitchboardClientOptions.Positions"/> (docs/protocol.md, "History and recovery").
/// </remarks>
/// <param name="Epoch">The history's epoch: it changes whenever the history starts over, so offsets of another epoch mean nothing.</param>
/// <param name="Offset">The offset of a message (1 for the first); 0 for a position before any message.</param>
public readonly record struct StreamPosition(string Epoch, long Offset);
