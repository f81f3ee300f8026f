namespace Switchboard.Interop.Tests;

/// <summary>Locates files of the repository from the test assembly's directory.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The repository root: the nearest ancestor directory that holds Sdk.sln.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The directory of the third-party peer scripts.</summary>
    public static string Peers => Path.Combine(Root, "tests", "Interop.Tests", "peers");

    /// <summary>A file under <see cref="Peers"/> that must exist.</summary>
    public static string Peer(string fileName)
    {
        var path = Path.Combine(Peers, fileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"peer script {fileName} is missing", path);
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sdk.sln"))) return dir.FullName;
        }

        throw new DirectoryNotFoundException($"no directory above {AppContext.BaseDirectory} holds Sdk.sln");
    }
}
