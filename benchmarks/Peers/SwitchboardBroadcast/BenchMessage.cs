using Switchboard;

namespace SwitchboardBroadcast;

/// <summary>The load tool's broadcast message: <c>{"type":"bench.message","data":{"text":"…"}}</c>.</summary>
[Message("bench.message")]
public sealed partial record BenchMessage(string Text);
