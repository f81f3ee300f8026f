using System.Globalization;
using System.Reflection;
using Xunit;

namespace Switchboard.Packaging.Tests;

/// <summary>
/// Packs the Switchboard package once, with a version no earlier run used (so the global NuGet cache
/// never serves a stale copy), into a temporary folder; removes everything it made afterwards.
/// </summary>
public sealed class PackageFixture : IAsyncLifetime
{
    public static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(8);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "switchboard-packaging-" + Guid.NewGuid().ToString("N")[..12]);

    public string Version { get; } = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "." + Guid.NewGuid().ToString("N")[..8];

    public string Feed => Path.Combine(Root, "feed");

    public static string RepositoryRoot { get; } = typeof(PackageFixture).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        string project = Path.Combine(RepositoryRoot, "src", "Sdk", "Switchboard.csproj");
        var (exitCode, output) = await DotnetCli.RunAsync(
            "dotnet",
            $"pack \"{project}\" -c Release -p:Version={Version} --artifacts-path \"{Path.Combine(Root, "artifacts")}\" -o \"{Feed}\"",
            RepositoryRoot,
            StepTimeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException("dotnet pack failed:\n" + output);
        }
    }

    /// <summary>A new folder holding the throwaway app, restoring from the feed plus the normal source.</summary>
    public string CreateApp(string name)
    {
        string app = Path.Combine(Root, name);
        Directory.CreateDirectory(app);
        string template = Path.Combine(AppContext.BaseDirectory, "App");
        File.WriteAllText(Path.Combine(app, name + ".csproj"), File.ReadAllText(Path.Combine(template, "App.csproj.template")).Replace("$SWITCHBOARD_VERSION$", Version, StringComparison.Ordinal));
        File.Copy(Path.Combine(template, "Program.cs"), Path.Combine(app, "Program.cs"));
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="switchboard-local" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
            </configuration>
            """);
        return app;
    }

    public Task DisposeAsync()
    {
        TryDelete(Root);

        // The unique version is useless once the run is over; keep the global cache tidy.
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        TryDelete(Path.Combine(cache, "switchboard", Version));
        return Task.CompletedTask;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
