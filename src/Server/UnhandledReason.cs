namespace Switchboard.Server;

/// <summary>Why a <see cref="MessageEndpoint"/> did not dispatch a well-formed envelope.</summary>
public enum UnhandledReason
{
    /// <summary>The envelope's type is not in the endpoint's <see cref="MessageEndpoint.Catalog"/>: not part of the protocol.</summary>
    UnknownType,

    /// <summary>The envelope's type is in the catalogue, but no <see cref="MessageEndpoint.On{T}"/> handler is registered for it.</summary>
    NoHandler,
}
