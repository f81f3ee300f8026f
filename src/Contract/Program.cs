using Switchboard;
using Switchboard.Contract;
using Switchboard.Server.Contract;

// Loads an app's built assembly, reads its {AssemblyName}.SwitchboardMessages.Catalog and writes the TypeScript module
// and the AsyncAPI document. Runs at build time only, so the app itself needs no reflection.
const string Usage = """
    usage: Switchboard.Contract --assembly <app.dll> [--typescript <file.ts>] [--asyncapi <file.json>]
                                [--channel <route template>]... [--title <title>] [--version <version>]
    Writes the TypeScript module and/or the AsyncAPI 3.0 document of the messages the assembly declares.
    Channels default to "/"; the title to the assembly's name; the version to 1.0.0.
    """;

string? assemblyPath = null, typescriptPath = null, asyncApiPath = null, title = null, version = "1.0.0";
var channels = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--assembly": assemblyPath = Value(); break;
        case "--typescript": typescriptPath = Value(); break;
        case "--asyncapi": asyncApiPath = Value(); break;
        case "--channel": channels.Add(Value()); break;
        case "--title": title = Value(); break;
        case "--version": version = Value(); break;
        default:
            Console.Error.WriteLine($"Switchboard.Contract: unknown argument '{args[i]}'\n{Usage}");
            return 2;
    }
}

if (assemblyPath is null || (typescriptPath is null && asyncApiPath is null))
{
    Console.Error.WriteLine(Usage);
    return 2;
}

try
{
    var catalog = CatalogLoader.Load(Path.GetFullPath(assemblyPath), out var assemblyName);
    if (typescriptPath is not null)
    {
        OutputFile.Write(typescriptPath, TypeScriptModule.Write(catalog, assemblyName));
    }

    if (asyncApiPath is not null)
    {
        var document = new AsyncApiDocument(title ?? assemblyName, version);
        foreach (var channel in channels.Count == 0 ? ["/"] : channels)
        {
            document.AddChannel(channel, catalog);
        }

        OutputFile.Write(asyncApiPath, document.ToJson() + "\n");
    }

    return 0;
}
#pragma warning disable CA1031 // A build tool reports any failure as an error line for MSBuild and a non-zero exit.
catch (Exception e)
#pragma warning restore CA1031
{
    Console.Error.WriteLine($"Switchboard.Contract: error: {e.Message}");
    return 1;
}
