using Switchboard.Messaging;

namespace Switchboard.Server.Engines;

/// <summary>What <see cref="IEndpointEngine.ReadHistoryAsync"/> found in a group's history.</summary>
/// <param name="Top">The history's epoch and the offset of its newest message (0 when it has none).</param>
/// <param name="Recovered">
/// True when every message after the position asked for is in <paramref name="Messages"/>; false when the history no
/// longer covers it (another epoch, or trimmed past it); null when no position was asked for.
/// </param>
/// <param name="Messages">The messages read, oldest first, each with its <see cref="EngineMessage.Offset"/>.</param>
public sealed record HistoryRead(StreamPosition Top, bool? Recovered, IReadOnlyList<EngineMessage> Messages);
