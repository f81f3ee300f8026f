using System.Text;

namespace Switchboard.Contract;

/// <summary>Writes an output file only when its text changes, so that an unchanged contract leaves later build steps idle.</summary>
internal static class OutputFile
{
    public static void Write(string path, string text)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full) && File.ReadAllText(full) == text)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp";
        File.WriteAllText(temporary, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temporary, full, overwrite: true);
    }
}
