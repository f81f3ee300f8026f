namespace Switchboard.Fuzz;

/// <summary>What a target made of one input, when it returned normally.</summary>
/// <param name="Accepted">
/// Whether the input is valid for the target: frames that parse to the end without a protocol error for one role, a
/// request or response the handshake accepts, an envelope that reads (and whose data reads, when its type is known).
/// </param>
/// <param name="Verdict">A short description, such as <c>server: None; client: MaskedServerFrame</c>.</param>
public readonly record struct FuzzOutcome(bool Accepted, string Verdict);
