namespace Switchboard.Generators;

/// <summary>Fully qualified metadata names of the runtime types the generator looks for.</summary>
internal static class TypeNames
{
    /// <summary>The attribute that marks a record or class as a wire message.</summary>
    public const string MessageAttribute = "Switchboard.MessageAttribute";

    /// <summary>The interface every generated message implements.</summary>
    public const string MessageInterface = "Switchboard.IMessage`1";
}
