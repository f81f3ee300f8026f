using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Packaging.Tests;

/// <summary>
/// The packages as a user gets them: packed to a local folder as README.md says, restored into fresh net8.0 and
/// net10.0 web apps by <c>PackageReference</c>, built and run; then the net10.0 app published with Native AOT. The app
/// uses all four packages: messages, the standalone server and the client, the endpoint mapped in ASP.NET Core, and
/// two servers sharing one endpoint through a redis-server the tests start.
/// </summary>
public sealed class PackageTests(PackageFixture package, RedisServer redis) : IClassFixture<PackageFixture>, IClassFixture<RedisServer>
{
    private static readonly string[] TargetFrameworks = ["net8.0", "net10.0"];

    private static readonly string[] ExpectedOutput =
    [
        """{"type":"chat.send","id":"7","data":{"text":"hi \u003Cthere\u003E","mood":"Happy","mentions":[{"user":"bob","offset":3}],"meta":{"lang":"en"},"after":"01:30:00"}}""",
        "type=chat.send id=7 known=True",
        "text=hi <there> mood=Happy mentions=1 first=bob@3 lang=en after=01:30:00",
        "Invalid 'chat.send' message at 'data.mood': 'Sad' is not a member of App.Mood",
        "chat.echo -> Echo: text: string (required)",
        "chat.send -> SendChat: text: string (required), mood: App.Mood (required), mentions: array<App.Mention> (required), meta: map<string, string> (required), after: timespan?",
        "chat.typing -> Typing: user: string (required)",
        "echo=alice: over the wire",
        "aspnetcore echo=carol: through kestrel",
        "redis echo=dave: through redis",
    ];

    [Theory]
    [InlineData("Switchboard")]
    [InlineData("Switchboard.Server")]
    [InlineData("Switchboard.AspNetCore")]
    [InlineData("Switchboard.Redis")]
    public void Package_holds_both_targets_with_their_docs_and_the_readme_and_no_pdbs(string id)
    {
        var entries = Entries(package.PackagePath(id));
        foreach (string tfm in TargetFrameworks)
        {
            Assert.Contains($"lib/{tfm}/{id}.dll", entries);
            Assert.Contains($"lib/{tfm}/{id}.xml", entries);
        }
        Assert.Contains("README.md", entries);
        Assert.DoesNotContain(entries, e => e.EndsWith(".pdb", StringComparison.Ordinal));
        // The generator ships in Switchboard alone; the other packages pass it on through their dependencies.
        Assert.Equal(
            id == "Switchboard" ? ["analyzers/dotnet/cs/Switchboard.Generators.dll"] : [],
            entries.Where(e => e.StartsWith("analyzers/", StringComparison.Ordinal)));
    }

    [Fact]
    public void Switchboard_Server_holds_the_contract_tool_and_its_targets_outside_lib()
    {
        var entries = Entries(package.PackagePath("Switchboard.Server"));
        Assert.Contains("tools/contract/Switchboard.Contract.dll", entries);
        Assert.Contains("tools/contract/Switchboard.Contract.runtimeconfig.json", entries);
        Assert.Contains("tools/contract/Switchboard.Contract.deps.json", entries);
        // The tool runs on the packaged Switchboard, not the app's.
        Assert.Contains("tools/contract/Switchboard.dll", entries);
        Assert.Contains("tools/contract/Switchboard.Server.dll", entries);
        foreach (string folder in new[] { "build", "buildTransitive" })
        {
            Assert.Contains($"{folder}/Switchboard.Server.targets", entries);
            Assert.Contains($"{folder}/Switchboard.Contract.targets", entries);
        }

        // Nothing of the tool flows into an app: lib/ holds the server's assembly and docs alone.
        Assert.All(
            entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)),
            e => Assert.Matches(@"^lib/net(8|10)\.0/Switchboard\.Server\.(dll|xml)$", e));
    }

    [Fact]
    public void Switchboard_Redis_depends_on_Switchboard_Server_at_its_version_and_StackExchange_Redis()
    {
        var metadata = Nuspec(package.PackagePath("Switchboard.Redis"));
        XNamespace ns = metadata.Name.Namespace;
        foreach (string tfm in TargetFrameworks)
        {
            var group = metadata.Element(ns + "dependencies")!.Elements(ns + "group").Single(g => g.Attribute("targetFramework")?.Value == tfm);
            var ids = group.Elements(ns + "dependency").ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")?.Value);
            Assert.True(ids.TryGetValue("Switchboard.Server", out var server), $"{tfm}: no dependency on Switchboard.Server");
            Assert.Equal(package.Version, server);
            Assert.True(ids.ContainsKey("StackExchange.Redis"), $"{tfm}: no dependency on StackExchange.Redis");
        }
    }

    [Theory]
    [InlineData("Switchboard")]
    [InlineData("Switchboard.Server")]
    [InlineData("Switchboard.AspNetCore")]
    [InlineData("Switchboard.Redis")]
    public void Nuspec_carries_version_license_readme_repository_and_both_dependency_groups(string id)
    {
        var metadata = Nuspec(package.PackagePath(id));
        XNamespace ns = metadata.Name.Namespace;
        Assert.Equal(id, metadata.Element(ns + "id")?.Value);
        Assert.Equal(package.Version, metadata.Element(ns + "version")?.Value);
        var license = metadata.Element(ns + "license");
        Assert.Equal("expression", license?.Attribute("type")?.Value);
        Assert.Equal("MIT", license?.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value));

        var repository = metadata.Element(ns + "repository");
        Assert.Equal("git", repository?.Attribute("type")?.Value);
        Assert.StartsWith("https://", repository?.Attribute("url")?.Value, StringComparison.Ordinal);
        Assert.Equal(package.Commit, repository?.Attribute("commit")?.Value);

        var groups = metadata.Element(ns + "dependencies")!.Elements(ns + "group").Select(g => g.Attribute("targetFramework")?.Value).ToList();
        Assert.Equal(TargetFrameworks.Order(StringComparer.Ordinal), groups.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Switchboard_Server_passes_the_generator_on_to_apps_that_reference_only_it()
    {
        var metadata = Nuspec(package.PackagePath("Switchboard.Server"));
        XNamespace ns = metadata.Name.Namespace;
        foreach (var dependency in metadata.Descendants(ns + "dependency").Where(d => d.Attribute("id")?.Value == "Switchboard"))
        {
            Assert.Equal(package.Version, dependency.Attribute("version")?.Value);
            Assert.DoesNotContain("Analyzers", dependency.Attribute("exclude")?.Value ?? "", StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Switchboard_AspNetCore_depends_on_Switchboard_Server_at_its_version_and_the_shared_framework_on_both_targets()
    {
        var metadata = Nuspec(package.PackagePath("Switchboard.AspNetCore"));
        XNamespace ns = metadata.Name.Namespace;
        foreach (string tfm in TargetFrameworks)
        {
            var group = metadata.Element(ns + "dependencies")!.Elements(ns + "group").Single(g => g.Attribute("targetFramework")?.Value == tfm);
            var server = group.Elements(ns + "dependency").SingleOrDefault(d => d.Attribute("id")?.Value == "Switchboard.Server");
            Assert.True(server is not null, $"{tfm}: no dependency on Switchboard.Server");
            Assert.Equal(package.Version, server.Attribute("version")?.Value);
            // The generator reaches an app that references only this package through Switchboard.Server.
            Assert.DoesNotContain("Analyzers", server.Attribute("exclude")?.Value ?? "", StringComparison.OrdinalIgnoreCase);

            var frameworks = metadata.Element(ns + "frameworkReferences")?.Elements(ns + "group").SingleOrDefault(g => g.Attribute("targetFramework")?.Value == tfm);
            Assert.Contains("Microsoft.AspNetCore.App", frameworks?.Elements(ns + "frameworkReference").Select(f => f.Attribute("name")?.Value) ?? []);
        }
    }

    [Theory]
    [InlineData("Switchboard")]
    [InlineData("Switchboard.Server")]
    [InlineData("Switchboard.AspNetCore")]
    [InlineData("Switchboard.Redis")]
    public void Symbol_package_holds_pdbs_whose_SourceLink_points_at_the_repository_at_the_packed_commit(string id)
    {
        string repositoryUrl = Nuspec(package.PackagePath(id)).Descendants().Single(e => e.Name.LocalName == "repository").Attribute("url")!.Value;
        // https://github.com/OWNER/REPO -> https://raw.githubusercontent.com/OWNER/REPO/COMMIT/*
        string expected = repositoryUrl.Replace("https://github.com/", "https://raw.githubusercontent.com/", StringComparison.Ordinal).TrimEnd('/') + "/" + package.Commit + "/*";

        string snupkg = package.PackagePath(id, "snupkg");
        Assert.True(File.Exists(snupkg), $"{snupkg} is missing");
        using var archive = ZipFile.OpenRead(snupkg);
        foreach (string tfm in TargetFrameworks)
        {
            var pdb = archive.GetEntry($"lib/{tfm}/{id}.pdb");
            Assert.NotNull(pdb);
            using var stream = pdb.Open();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);

            // A portable PDB keeps the SourceLink JSON as a plain UTF-8 blob.
            string text = Encoding.UTF8.GetString(buffer.ToArray());
            int start = text.IndexOf("{\"documents\":", StringComparison.Ordinal);
            Assert.True(start >= 0, $"{id} {tfm}: no SourceLink JSON in the PDB");
            string sourceLink = text[start..(text.IndexOf('}', start) + 1)];
            Assert.Contains(expected, sourceLink, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("net8.0")]
    [InlineData("net10.0")]
    public async Task App_restored_from_the_packages_builds_and_runs(string targetFramework)
    {
        string app = package.CreateApp("App-" + targetFramework, targetFramework);
        // Only the newest runtime may be installed; a net8.0 app runs on it as one would on a later runtime.
        var environment = new Dictionary<string, string> { ["DOTNET_ROLL_FORWARD"] = "Major" };
        var (exitCode, output) = await DotnetCli.RunAsync("dotnet", $"run -c Release -- --redis {redis.Configuration}", app, PackageFixture.StepTimeout, environment);
        Assert.True(exitCode == 0, output);
        string[] lines = Lines(output);
        Assert.Contains(TargetLine(targetFramework), lines);
        Assert.Equal(ExpectedOutput, lines[^ExpectedOutput.Length..]);
        AssertContractWritten(app);
    }

    [Fact]
    public async Task App_publishes_with_native_AOT_without_warnings_and_runs()
    {
        string app = package.CreateApp("AotApp", "net10.0");
        string publish = Path.Combine(app, "publish");
        var (exitCode, output) = await DotnetCli.RunAsync(
            "dotnet",
            $"publish -c Release -r linux-x64 -p:PublishAot=true -p:TreatWarningsAsErrors=false -o \"{publish}\" -clp:NoSummary",
            app,
            PackageFixture.StepTimeout);
        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("warning", output, StringComparison.OrdinalIgnoreCase);

        string executable = Path.Combine(publish, "App");
        Assert.True(File.Exists(executable), output);
        Assert.False(File.Exists(Path.Combine(publish, "App.dll")), "expected a native executable, not an IL assembly");
        var (runExit, runOutput) = await DotnetCli.RunAsync(executable, $"--redis {redis.Configuration}", app, TimeSpan.FromMinutes(1));
        Assert.True(runExit == 0, runOutput);
        Assert.Equal([TargetLine("net10.0"), .. ExpectedOutput], Lines(runOutput));
    }

    /// <summary>The build wrote the app's TypeScript module and AsyncAPI document (SwitchboardWriteContract in the template).</summary>
    private static void AssertContractWritten(string app)
    {
        string contract = Path.Combine(app, "obj", "contract");
        string module = Path.Combine(contract, "App.messages.ts");
        Assert.True(File.Exists(module), $"{module} was not written");
        string typescript = File.ReadAllText(module);
        Assert.Contains("export interface SendChat {", typescript, StringComparison.Ordinal);
        Assert.Contains("\"chat.send\": SendChat", typescript, StringComparison.Ordinal);

        string documentPath = Path.Combine(contract, "App.asyncapi.json");
        Assert.True(File.Exists(documentPath), $"{documentPath} was not written");
        using var document = JsonDocument.Parse(File.ReadAllText(documentPath));
        var root = document.RootElement;
        Assert.Equal("3.0.0", root.GetProperty("asyncapi").GetString());
        Assert.Equal("App", root.GetProperty("info").GetProperty("title").GetString());
        var channel = root.GetProperty("channels").EnumerateObject().Single().Value;
        Assert.Equal("/ws/{username}", channel.GetProperty("address").GetString());
        var messages = channel.GetProperty("messages").EnumerateObject().Select(m => m.Name).ToList();
        Assert.Contains("chat.send", messages);
        Assert.Contains("chat.echo", messages);
        Assert.Contains("chat.typing", messages);
        Assert.True(root.GetProperty("components").GetProperty("messages").TryGetProperty("chat.send", out _), "no components.messages.chat.send");
    }

    private static List<string> Entries(string nupkg)
    {
        using var archive = ZipFile.OpenRead(nupkg);
        return archive.Entries.Select(e => e.FullName).ToList();
    }

    private static XElement Nuspec(string nupkg)
    {
        using var archive = ZipFile.OpenRead(nupkg);
        var entry = archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal));
        using var stream = entry.Open();
        var document = XDocument.Load(stream);
        return document.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    /// <summary>The app's first line: the framework it was built for, whichever runtime runs it.</summary>
    private static string TargetLine(string targetFramework) => $"target=.NETCoreApp,Version=v{targetFramework["net".Length..]}";

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
