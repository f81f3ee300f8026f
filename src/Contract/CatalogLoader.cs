using System.Reflection;
using System.Runtime.Loader;

namespace Switchboard.Contract;

/// <summary>Loads the message catalogue the generator emitted into a built assembly.</summary>
internal static class CatalogLoader
{
    /// <summary>
    /// Loads <paramref name="path"/> and reads <c>{AssemblyName}.SwitchboardMessages.Catalog</c>. The assembly's own
    /// dependencies come from its directory; Switchboard's are this tool's, so the catalogue's types are the ones it reads.
    /// </summary>
    public static MessageCatalog Load(string path, out string assemblyName)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"the assembly '{path}' does not exist", path);
        var directory = Path.GetDirectoryName(path)!;
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            var candidate = Path.Combine(directory, name.Name + ".dll");
            return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
        };

        var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
        assemblyName = assembly.GetName().Name!;
        var typeName = assemblyName + ".SwitchboardMessages";
        var type = assembly.GetType(typeName)
            ?? throw new InvalidOperationException($"{assemblyName} has no {typeName}: it declares no [Message] type, or does not run Switchboard's generator");
        var property = type.GetProperty("Catalog", BindingFlags.Public | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{typeName} has no static Catalog property");
        return property.GetValue(null) as MessageCatalog
            ?? throw new InvalidOperationException($"{typeName}.Catalog is not a {typeof(MessageCatalog)} of this tool's Switchboard version");
    }
}
