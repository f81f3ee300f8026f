using System.Security.Claims;
using Chat;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.AspNetCore;

/// <summary>Signing in and out with the cookie, and who is signed in.</summary>
internal static class AccountEndpoints
{
    /// <summary>Maps <c>POST /signin</c>, <c>GET /signout</c> and <c>GET /me</c>.</summary>
    public static void MapAccount(this IEndpointRouteBuilder app)
    {
        // JSON only: a form on another site cannot post it without the browser asking this site first (CORS), which
        // it never allows, so nobody is signed in behind their back.
        app.MapPost("/signin", SignInAsync);
        app.MapGet("/signout", () => TypedResults.SignOut(new() { RedirectUri = "/" }, [CookieAuthenticationDefaults.AuthenticationScheme]));
        app.MapGet("/me", (ClaimsPrincipal user) => TypedResults.Ok(new SignedIn(user.Identity!.Name!))).RequireAuthorization("chatter");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SignInAsync(SignInRequest request, HttpContext context)
    {
        var name = request.Name ?? "";
        if (!ChatRoom.IsValidName(name))
        {
            return TypedResults.Problem(
                $"'name' must be 1-{ChatRoom.MaxNameLength} ASCII letters, digits, '_' or '-'", statusCode: StatusCodes.Status400BadRequest);
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return TypedResults.NoContent();
    }
}
