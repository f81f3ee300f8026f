using System.Security.Cryptography;
using System.Text;
using Chat;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.AspNetCore;

/// <summary>
/// <c>POST /announce</c>: a script or an operator, not a chatter, puts an announcement in the room. It proves itself
/// with the header <c>X-Announce-Token</c>; a header no other site's page can make a browser send.
/// </summary>
internal static class AnnounceEndpoint
{
    public const string TokenHeader = "X-Announce-Token";

    /// <summary>Maps <c>POST /announce</c>.</summary>
    public static void MapAnnounce(this IEndpointRouteBuilder app) => app.MapPost("/announce", AnnounceAsync);

    private static async Task<Results<NoContent, UnauthorizedHttpResult, ProblemHttpResult>> AnnounceAsync(
        AnnounceRequest request, HttpRequest http, AnnounceToken token, ChatRoom room)
    {
        if (!token.Matches(http.Headers[TokenHeader].ToString())) return TypedResults.Unauthorized();
        if (await room.AnnounceAsync(request.Text ?? "") is { } problem)
        {
            return TypedResults.Problem($"'text': {problem}", statusCode: StatusCodes.Status400BadRequest);
        }
        return TypedResults.NoContent();
    }
}

/// <summary>The secret that <c>POST /announce</c> asks for.</summary>
internal sealed class AnnounceToken(string value)
{
    public string Value { get; } = value;

    public static string CreateRandom() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// Compares hashes of equal length in constant time, so the answer's timing tells nothing about how much of a
    /// guess, or of its length, was right.
    /// </summary>
    public bool Matches(string candidate) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(candidate)), SHA256.HashData(Encoding.UTF8.GetBytes(Value)));
}
