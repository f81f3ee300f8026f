namespace Switchboard.Generators.Model;

/// <summary>A diagnostic to report: the id of one of <see cref="DiagnosticDescriptors"/>, where, and the message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments);
