namespace Switchboard.Generators.Model;

/// <summary>An error a request declares.</summary>
/// <param name="TypeName">The error type as generated code names it: <c>global::Chat.HistoryDenied</c>.</param>
/// <param name="WireName">Its wire name.</param>
internal sealed record ErrorSpec(string TypeName, string WireName);

/// <summary>What a message is for: a plain message, an error, or a request with its response and errors.</summary>
/// <param name="Kind"><c>Message</c>, <c>Request</c> or <c>Error</c>: the name of the <c>MessageKind</c> value.</param>
/// <param name="ResponseType">A request's response type as generated code names it; null otherwise.</param>
/// <param name="ResponseWireName">A request's response wire name; null otherwise.</param>
/// <param name="Errors">A request's errors, in declaration order.</param>
internal sealed record RequestSpec(string Kind, string? ResponseType, string? ResponseWireName, EquatableArray<ErrorSpec> Errors)
{
    public static RequestSpec Plain { get; } = new("Message", null, null, EquatableArray<ErrorSpec>.Empty);

    public static RequestSpec Error { get; } = new("Error", null, null, EquatableArray<ErrorSpec>.Empty);

    public bool IsRequest => Kind == "Request";
}
