using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chat.AspNetCore;

/// <summary>The body of <c>POST /signin</c>.</summary>
internal sealed record SignInRequest(string? Name);

/// <summary>The answer of <c>GET /me</c>.</summary>
internal sealed record SignedIn(string Name);

/// <summary>The body of <c>POST /announce</c>.</summary>
internal sealed record AnnounceRequest(string? Text);

/// <summary>The JSON of the account and announcement endpoints, serialized by generated code (no reflection).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SignInRequest))]
[JsonSerializable(typeof(SignedIn))]
[JsonSerializable(typeof(AnnounceRequest))]
internal sealed partial class ChatJson : JsonSerializerContext;
