using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Switchboard.Generators;

/// <summary>Every diagnostic the generator reports. Ids are stable; new ones go to AnalyzerReleases.Unshipped.md.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Switchboard.Messages";

    public static readonly DiagnosticDescriptor MessageNotPartial = Error(
        "SWB001",
        "Message type must be partial",
        "The message type '{0}' must be declared partial so that its serializer can be generated");

    public static readonly DiagnosticDescriptor DuplicateWireName = Error(
        "SWB002",
        "Duplicate wire name",
        "The wire name '{0}' is used by both '{1}' and '{2}'; wire names must be unique in an assembly");

    public static readonly DiagnosticDescriptor InvalidWireName = Error(
        "SWB003",
        "Invalid wire name",
        "'{0}' is not a valid wire name: use 1 to 128 lowercase letters and digits in segments separated by '.', '-' or '_', starting with a letter, e.g. 'chat.send'");

    public static readonly DiagnosticDescriptor UnsupportedMemberType = Error(
        "SWB004",
        "Unsupported member type",
        "Property '{0}' has type '{1}', which messages cannot serialize: use bool, char, an integer type from byte to ulong (not nint, nuint, Int128 or UInt128), float, double (not Half), decimal, string, Guid, DateTime, DateTimeOffset, TimeSpan, DateOnly, TimeOnly, byte[], an enum, Nullable<T>, T[], List<T>, IReadOnlyList<T>, ImmutableArray<T>, Dictionary<string, T>, or a non-generic record, class or struct");

    public static readonly DiagnosticDescriptor GenericMessage = Error(
        "SWB005",
        "Message type must not be generic",
        "The message type '{0}' must not be generic nor nested in a generic type: a wire name stands for one concrete type");

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error(
        "SWB006",
        "Type containing a message must be partial",
        "The type '{0}' must be declared partial because it contains the message type '{1}'");

    public static readonly DiagnosticDescriptor AbstractMessage = Error(
        "SWB007",
        "Message type must be concrete",
        "The message type '{0}' must not be abstract or static: readers create instances of it");

    public static readonly DiagnosticDescriptor NoUsableConstructor = Error(
        "SWB008",
        "Type cannot be created from JSON",
        "Type '{0}' cannot be created from JSON: {1}");

    public static readonly DiagnosticDescriptor RecursiveType = Error(
        "SWB009",
        "Message data contains itself",
        "Property '{0}' makes '{1}' contain itself; message data must be a finite tree");

    public static readonly DiagnosticDescriptor DuplicateJsonName = Error(
        "SWB010",
        "Two properties have the same JSON name",
        "Properties '{0}' and '{1}' of '{2}' both have the JSON name '{3}'");

    public static readonly DiagnosticDescriptor UnsupportedAttribute = Error(
        "SWB011",
        "Unsupported serialization attribute",
        "Property '{0}' uses [{1}], which messages do not support; only [JsonPropertyName], [JsonIgnore], [JsonPropertyOrder], [JsonConstructor] and [JsonStringEnumMemberName] are honored");

    public static readonly DiagnosticDescriptor InaccessibleMessage = Error(
        "SWB012",
        "Message type must be accessible",
        "The message type '{0}' must be visible to its whole assembly: neither it nor a type containing it may be private or protected");

    public static readonly DiagnosticDescriptor FileLocalMessage = Error(
        "SWB013",
        "Message type must not be file-local",
        "The message type '{0}' must not be file-local nor nested in a file-local type: its serializer and the message catalogue are generated into other files, which cannot see it");

    public static readonly DiagnosticDescriptor GeneratedMemberClash = Error(
        "SWB014",
        "Member clashes with a generated member",
        "'{0}' clashes with the member '{1}' that the generator adds to the message type '{2}'; rename it");

    public static readonly DiagnosticDescriptor CatalogClash = Error(
        "SWB015",
        "Type has the name of the generated message catalogue",
        "The type '{0}' has the name of the message catalogue the generator adds to this assembly; rename it");

    public static readonly DiagnosticDescriptor ObsoleteErrorProperty = Error(
        "SWB016",
        "Serialized property is obsolete as an error",
        "Property '{0}' is marked [Obsolete] with error: true, so the generated serializer cannot use it; mark it [JsonIgnore] or drop the error flag");

    public static readonly DiagnosticDescriptor ResponseNotMessage = Error(
        "SWB017",
        "Response type is not a message",
        "The request '{0}' names the response type '{1}', which is not a message: mark it [Message(\"...\")] with a valid wire name");

    public static readonly DiagnosticDescriptor ResponseNotPlain = Error(
        "SWB018",
        "Response type is a request or an error",
        "The request '{0}' names the response type '{1}', which is itself a request or an error; a response is a plain message");

    public static readonly DiagnosticDescriptor ErrorNotDeclared = Error(
        "SWB019",
        "Listed error is not a declared error",
        "The request '{0}' lists '{1}' in [RequestErrors], which is not a declared error: it must be a [Message] type that implements IRequestError");

    public static readonly DiagnosticDescriptor ErrorsWithoutRequest = Error(
        "SWB020",
        "Errors listed on a message that is not a request",
        "'{0}' lists errors in [RequestErrors] but is not a request: implement IRequest<TResponse>, or remove the attribute");

    public static readonly DiagnosticDescriptor RequestIsError = Error(
        "SWB021",
        "Message is both a request and an error",
        "'{0}' implements both IRequest<TResponse> and IRequestError; a message is a request, an error or neither");

    public static readonly DiagnosticDescriptor ContractMessageRemoved = Error(
        "SWB022",
        "Message in the contract baseline is gone",
        "The message '{0}' ({1}) is in {2} but no longer declared: once shipped, a message is never removed and its wire name never changes; restore it, or delete its lines from the baseline if no peer uses it");

    public static readonly DiagnosticDescriptor ContractKindChanged = Error(
        "SWB023",
        "Message kind differs from the contract baseline",
        "The message '{0}' ({1}) is of kind '{2}' in the contract baseline and now of kind '{3}': peers built against the baseline handle it as a {2}");

    public static readonly DiagnosticDescriptor ContractResponseChanged = Error(
        "SWB024",
        "Request response differs from the contract baseline",
        "The request '{0}' ({1}) answers with '{2}' in the contract baseline and now with '{3}': callers built against the baseline cannot read the new response");

    public static readonly DiagnosticDescriptor ContractFieldRemoved = Error(
        "SWB025",
        "Field in the contract baseline is gone",
        "The field '{0}' of the message '{1}' ({2}) is in the contract baseline but no longer serialized: once shipped, a field is never removed and its JSON name never changes");

    public static readonly DiagnosticDescriptor ContractFieldTypeChanged = Error(
        "SWB026",
        "Field wire type differs from the contract baseline",
        "The field '{0}' of the message '{1}' ({2}) has the wire type '{3}' in the contract baseline and now '{4}'");

    public static readonly DiagnosticDescriptor ContractNewRequiredField = Error(
        "SWB027",
        "New required field",
        "The field '{0}' of the message '{1}' ({2}) is new and required: peers built against the contract baseline do not send it; make it nullable or give it a default value");

    public static readonly DiagnosticDescriptor ContractFieldBecameRequired = Error(
        "SWB028",
        "Optional field became required",
        "The field '{0}' of the message '{1}' ({2}) is optional in the contract baseline and now required: peers built against the baseline may leave it out");

    public static readonly DiagnosticDescriptor ContractEntryMissing = new(
        "SWB029",
        "Message is not in the contract baseline",
        "Add the line '{0}' to {1}: the message '{2}' is not in the contract baseline",
        Category,
        DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        helpLinkUri: null,
        customTags: System.Array.Empty<string>());

    public static readonly DiagnosticDescriptor ContractMalformedLine = Error(
        "SWB030",
        "Contract baseline line cannot be read",
        "Line {0} of {1} cannot be read: {2}");

    public static readonly DiagnosticDescriptor ContractErrorRemoved = Error(
        "SWB031",
        "Request error in the contract baseline is gone",
        "The request '{0}' ({1}) may fail with '{2}' in the contract baseline and no longer: peers built against the baseline may still answer with it, which callers built now cannot read as a typed error; list it again in [RequestErrors]");

    public static readonly DiagnosticDescriptor ContractErrorAdded = Error(
        "SWB032",
        "New request error",
        "The request '{0}' ({1}) may now fail with '{2}', which the contract baseline does not list: callers built against the baseline cannot read it as a typed error (they get invalid_reply); report the case through an error the request lists, or declare a new request");

    private static readonly Dictionary<string, DiagnosticDescriptor> ById = new[]
    {
        MessageNotPartial, DuplicateWireName, InvalidWireName, UnsupportedMemberType, GenericMessage, ContainingTypeNotPartial,
        AbstractMessage, NoUsableConstructor, RecursiveType, DuplicateJsonName, UnsupportedAttribute, InaccessibleMessage,
        FileLocalMessage, GeneratedMemberClash, CatalogClash, ObsoleteErrorProperty, ResponseNotMessage, ResponseNotPlain,
        ErrorNotDeclared, ErrorsWithoutRequest, RequestIsError, ContractMessageRemoved, ContractKindChanged, ContractResponseChanged,
        ContractFieldRemoved, ContractFieldTypeChanged, ContractNewRequiredField, ContractFieldBecameRequired, ContractEntryMissing,
        ContractMalformedLine, ContractErrorRemoved, ContractErrorAdded,
    }.ToDictionary(d => d.Id);

    public static DiagnosticDescriptor Get(string id) => ById[id];

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            helpLinkUri: null, customTags: System.Array.Empty<string>());
}
