using System.Text;

namespace Switchboard.Server.Http;

/// <summary>What <see cref="StaticFilePath.Resolve"/> concluded about a request path.</summary>
internal enum StaticFileLookup : byte
{
    /// <summary>A servable file inside the root.</summary>
    Found,

    /// <summary>Nothing servable: absent, hidden, a directory, an unknown type, or a path that would leave the root.</summary>
    NotFound,

    /// <summary>The path itself is malformed: bad percent-encoding, invalid UTF-8, or a control character.</summary>
    BadRequest,
}

/// <summary>
/// Maps the percent-encoded rest of a request path onto a file under a root directory, refusing everything that could
/// reach outside it. Each segment is decoded once and must then be a plain file or directory name: no empty, <c>.</c> or
/// <c>..</c> segments (however encoded), no separators hidden as <c>%2F</c> or <c>%5C</c>, no drive or stream colons, no
/// dot-files. The joined path must still lie under the root, and a symbolic link on the way is followed only when its
/// final target does too.
/// </summary>
internal static class StaticFilePath
{
    private const string IndexFile = "index.html";

    /// <summary>Resolves <paramref name="encodedPath"/> (no leading slash; empty or ending in '/' means its index.html).</summary>
    /// <param name="root">The full path of the root directory, ending with a directory separator.</param>
    /// <param name="encodedPath">The request path after the mapped prefix, percent-encoding as sent.</param>
    /// <param name="fullPath">The file to serve, when the result is <see cref="StaticFileLookup.Found"/>.</param>
    /// <param name="contentType">Its media type, when the result is <see cref="StaticFileLookup.Found"/>.</param>
    public static StaticFileLookup Resolve(string root, string encodedPath, out string fullPath, out string contentType)
    {
        fullPath = string.Empty;
        contentType = string.Empty;
        var segments = encodedPath.Split('/');
        if (segments[^1].Length == 0) segments[^1] = IndexFile;

        var candidate = new StringBuilder(root);
        foreach (var segment in segments)
        {
            if (!TryDecode(segment, out var name)) return StaticFileLookup.BadRequest;
            if (!IsPlainName(name)) return StaticFileLookup.NotFound;
            if (candidate.Length > root.Length) candidate.Append(Path.DirectorySeparatorChar);
            candidate.Append(name);
        }

        if (!ContentTypes.TryGet(segments[^1], out contentType)) return StaticFileLookup.NotFound;

        var full = Path.GetFullPath(candidate.ToString());
        if (!IsUnder(root, full) || !File.Exists(full) || !LinksStayUnder(root, full)) return StaticFileLookup.NotFound;

        fullPath = full;
        return StaticFileLookup.Found;
    }

    /// <summary>Percent-decodes one segment (RFC 3986 section 2.1) and reads the bytes as strict UTF-8.</summary>
    private static bool TryDecode(string segment, out string name)
    {
        name = segment;
        if (!segment.Contains('%', StringComparison.Ordinal)) return !HasControl(segment);

        var bytes = new byte[segment.Length];
        var length = 0;
        for (var i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            if (c != '%')
            {
                bytes[length++] = (byte)c; // request-target bytes are ASCII, which the parser has checked
                continue;
            }

            if (i + 2 >= segment.Length || !char.IsAsciiHexDigit(segment[i + 1]) || !char.IsAsciiHexDigit(segment[i + 2])) return false;
            bytes[length++] = (byte)((HexValue(segment[i + 1]) << 4) | HexValue(segment[i + 2]));
            i += 2;
        }

        if (!System.Text.Unicode.Utf8.IsValid(bytes.AsSpan(0, length))) return false;
        name = Encoding.UTF8.GetString(bytes, 0, length);
        return !HasControl(name);
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static bool HasControl(string name)
    {
        foreach (var c in name)
        {
            if (char.IsControl(c)) return true;
        }

        return false;
    }

    /// <summary>
    /// A name that denotes exactly one entry of its directory on every platform: not empty, not a dot-file (which also
    /// rules out "." and ".."), no separator of any platform, no colon (drives, NTFS streams), and no trailing dot or
    /// space, which Windows strips.
    /// </summary>
    private static bool IsPlainName(string name) =>
        name.Length > 0 &&
        name[0] != '.' &&
        name.IndexOfAny(['/', '\\', ':']) < 0 &&
        name[^1] != '.' &&
        name[^1] != ' ';

    private static bool IsUnder(string root, string path) => path.Length > root.Length && path.StartsWith(root, StringComparison.Ordinal);

    /// <summary>Every entry from just below the root to the file that is a link must end up under the root.</summary>
    private static bool LinksStayUnder(string root, string file)
    {
        for (var end = root.Length; end <= file.Length; end++)
        {
            if (end != file.Length && file[end] != Path.DirectorySeparatorChar) continue;

            FileSystemInfo entry = end == file.Length ? new FileInfo(file) : new DirectoryInfo(file[..end]);
            if (entry.LinkTarget is null) continue;

            var target = entry.ResolveLinkTarget(returnFinalTarget: true);
            if (target is null || !IsUnder(root, Path.GetFullPath(target.FullName))) return false;
        }

        return true;
    }
}
