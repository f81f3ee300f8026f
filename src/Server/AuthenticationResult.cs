using System.Security.Claims;

namespace Switchboard.Server;

/// <summary>What an <see cref="EndpointOptions.Authenticate"/> hook decided about one opening request.</summary>
public readonly record struct AuthenticationResult
{
    private AuthenticationResult(string? user, ClaimsPrincipal? principal, string? failure)
    {
        User = user;
        Principal = principal;
        FailureReason = failure;
    }

    /// <summary>The user the connection speaks for; null when the request was refused.</summary>
    public string? User { get; }

    /// <summary>Whatever else the hook established about the user (claims, roles); optional.</summary>
    public ClaimsPrincipal? Principal { get; }

    /// <summary>Why the request was refused, sent as the 401's reason; null when it succeeded.</summary>
    public string? FailureReason { get; }

    /// <summary>True when the connection may open.</summary>
    public bool Succeeded => User is not null;

    /// <summary>The connection may open, speaking for <paramref name="user"/>.</summary>
    /// <param name="user">The user name; not empty.</param>
    /// <param name="principal">Claims the application wants to keep with the connection, or null.</param>
    /// <exception cref="ArgumentException"><paramref name="user"/> is null or empty.</exception>
    public static AuthenticationResult Success(string user, ClaimsPrincipal? principal = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        return new(user, principal, null);
    }

    /// <summary>The connection is refused with <b>401</b>.</summary>
    /// <param name="reason">A short reason for the client, sent as the body of the 401.</param>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is null or empty.</exception>
    public static AuthenticationResult Fail(string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new(null, null, reason);
    }
}
