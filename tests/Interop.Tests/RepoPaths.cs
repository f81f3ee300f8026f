using System.Reflection;

namespace Switchboard.Interop.Tests;

/// <summary>Locates files of the repository from the test assembly's directory.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The repository root: the directory that holds Sdk.sln.</summary>
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
        // The usual layout: the build output is inside the repository.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sdk.sln"))) return dir.FullName;
        }

        // Built with --artifacts-path elsewhere: fall back to where the project was built from.
        var recorded = typeof(RepoPaths).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        if (recorded is not null && File.Exists(Path.Combine(recorded, "Sdk.sln"))) return recorded;

        throw new DirectoryNotFoundException($"no directory above {AppContext.BaseDirectory} holds Sdk.sln (recorded root: {recorded ?? "none"})");
    }
}
