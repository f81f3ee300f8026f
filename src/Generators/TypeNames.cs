namespace Switchboard.Generators;

/// <summary>Fully qualified metadata names of the types the generator looks for.</summary>
internal static class TypeNames
{
    /// <summary>The attribute that marks a record or class as a wire message.</summary>
    public const string MessageAttribute = "Switchboard.MessageAttribute";

    /// <summary>The interface every generated message implements.</summary>
    public const string MessageInterface = "Switchboard.IMessage`1";

    /// <summary>The interface that makes a message a request and names its response.</summary>
    public const string RequestInterface = "Switchboard.IRequest`1";

    /// <summary>The marker interface of an error a request may fail with.</summary>
    public const string RequestErrorInterface = "Switchboard.IRequestError";

    /// <summary>The attribute that lists a request's errors.</summary>
    public const string RequestErrorsAttribute = "Switchboard.RequestErrorsAttribute";

    public const string JsonPropertyNameAttribute = "System.Text.Json.Serialization.JsonPropertyNameAttribute";
    public const string JsonIgnoreAttribute = "System.Text.Json.Serialization.JsonIgnoreAttribute";
    public const string JsonPropertyOrderAttribute = "System.Text.Json.Serialization.JsonPropertyOrderAttribute";
    public const string JsonConstructorAttribute = "System.Text.Json.Serialization.JsonConstructorAttribute";
    public const string JsonStringEnumMemberNameAttribute = "System.Text.Json.Serialization.JsonStringEnumMemberNameAttribute";
    public const string JsonConverterAttribute = "System.Text.Json.Serialization.JsonConverterAttribute";
    public const string JsonExtensionDataAttribute = "System.Text.Json.Serialization.JsonExtensionDataAttribute";
    public const string JsonNumberHandlingAttribute = "System.Text.Json.Serialization.JsonNumberHandlingAttribute";
    public const string JsonObjectCreationHandlingAttribute = "System.Text.Json.Serialization.JsonObjectCreationHandlingAttribute";
    public const string JsonPolymorphicAttribute = "System.Text.Json.Serialization.JsonPolymorphicAttribute";
    public const string FlagsAttribute = "System.FlagsAttribute";
    public const string ObsoleteAttribute = "System.ObsoleteAttribute";

    public const string Utf8JsonWriter = "System.Text.Json.Utf8JsonWriter";
    public const string Utf8JsonReader = "System.Text.Json.Utf8JsonReader";

    public const string Guid = "System.Guid";
    public const string DateTimeOffset = "System.DateTimeOffset";
    public const string TimeSpan = "System.TimeSpan";
    public const string DateOnly = "System.DateOnly";
    public const string TimeOnly = "System.TimeOnly";
    public const string List = "System.Collections.Generic.List`1";
    public const string ReadOnlyList = "System.Collections.Generic.IReadOnlyList`1";
    public const string ImmutableArray = "System.Collections.Immutable.ImmutableArray`1";
    public const string Dictionary = "System.Collections.Generic.Dictionary`2";
}
