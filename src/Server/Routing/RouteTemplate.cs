namespace Switchboard.Server.Routing;

/// <summary>
/// A path template such as <c>/ws/{username}</c>: literal segments match ordinally (case-sensitive),
/// <c>{name}</c> captures one non-empty segment, and a final <c>{*name}</c> captures the rest of the path
/// (possibly empty). Captured values are percent-decoded. Immutable and thread-safe.
/// </summary>
public sealed class RouteTemplate
{
    private readonly Segment[] _segments;
    private readonly string[] _names; // the parameters, in order: shared by every match's values

    private RouteTemplate(string text, Segment[] segments)
    {
        Text = text;
        _segments = segments;
        _names = [.. segments.Where(s => s.Kind != SegmentKind.Literal).Select(s => s.Text)];
    }

    /// <summary>The template as written.</summary>
    public string Text { get; }

    /// <summary>Parses a template; throws <see cref="ArgumentException"/> naming the offending segment.</summary>
    public static RouteTemplate Parse(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (!template.StartsWith('/')) throw new ArgumentException($"route template '{template}' must start with '/'", nameof(template));

        var parts = template.Length == 1 ? [] : template[1..].Split('/');
        var segments = new Segment[parts.Length];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.Length > 2 && part[0] == '{' && part[^1] == '}')
            {
                var catchAll = part[1] == '*';
                var name = catchAll ? part[2..^1] : part[1..^1];
                if (name.Length == 0 || name.AsSpan().IndexOfAny("{}*/") >= 0)
                    throw new ArgumentException($"route template '{template}': invalid parameter '{part}'", nameof(template));
                if (catchAll && i != parts.Length - 1)
                    throw new ArgumentException($"route template '{template}': catch-all '{part}' must be the last segment", nameof(template));
                if (!names.Add(name))
                    throw new ArgumentException($"route template '{template}': parameter '{name}' appears twice", nameof(template));
                segments[i] = new Segment(name, catchAll ? SegmentKind.CatchAll : SegmentKind.Parameter);
            }
            else
            {
                if (part.AsSpan().IndexOfAny("{}") >= 0)
                    throw new ArgumentException($"route template '{template}': invalid segment '{part}'", nameof(template));
                segments[i] = new Segment(part, SegmentKind.Literal);
            }
        }
        return new RouteTemplate(template, segments);
    }

    /// <summary>Matches a request path (without query); on success returns the captured values.</summary>
    public bool TryMatch(string path, out IReadOnlyDictionary<string, string> values)
    {
        values = RouteValues.Empty;
        if (string.IsNullOrEmpty(path) || path[0] != '/') return false;

        var rest = path.AsSpan(1);
        string[]? captured = null;
        var next = 0;
        for (var i = 0; i < _segments.Length; i++)
        {
            var segment = _segments[i];
            if (segment.Kind == SegmentKind.CatchAll)
            {
                captured ??= new string[_names.Length];
                captured[next] = Uri.UnescapeDataString(rest.ToString());
                values = new RouteValues(_names, captured);
                return true;
            }

            var slash = rest.IndexOf('/');
            var current = slash < 0 ? rest : rest[..slash];
            var isLast = i == _segments.Length - 1;
            if (isLast != (slash < 0)) return false;

            if (segment.Kind == SegmentKind.Literal)
            {
                if (!current.SequenceEqual(segment.Text)) return false;
            }
            else
            {
                if (current.IsEmpty) return false;
                captured ??= new string[_names.Length];
                captured[next++] = Uri.UnescapeDataString(current.ToString());
            }
            rest = slash < 0 ? [] : rest[(slash + 1)..];
        }

        // The root template "/" matches only "/".
        if (_segments.Length == 0 && !rest.IsEmpty) return false;
        if (captured is not null) values = new RouteValues(_names, captured);
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => Text;

    private enum SegmentKind : byte { Literal, Parameter, CatchAll }

    private readonly record struct Segment(string Text, SegmentKind Kind);
}
