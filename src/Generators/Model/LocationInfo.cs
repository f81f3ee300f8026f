using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Switchboard.Generators.Model;

/// <summary>A source location as plain values, so that diagnostics can be cached without keeping a syntax tree alive.</summary>
internal sealed record LocationInfo(string FilePath, int Start, int Length, int StartLine, int StartCharacter, int EndLine, int EndCharacter)
{
    public static LocationInfo? From(Location? location)
    {
        if (location is null || !location.IsInSource)
        {
            return null;
        }

        var lines = location.GetLineSpan();
        return new LocationInfo(
            location.SourceTree!.FilePath,
            location.SourceSpan.Start,
            location.SourceSpan.Length,
            lines.StartLinePosition.Line,
            lines.StartLinePosition.Character,
            lines.EndLinePosition.Line,
            lines.EndLinePosition.Character);
    }

    public Location ToLocation() => Location.Create(
        FilePath,
        new TextSpan(Start, Length),
        new LinePositionSpan(new LinePosition(StartLine, StartCharacter), new LinePosition(EndLine, EndCharacter)));
}
