using System.Text;
using static Switchboard.Conformance.Tests.Wire.Frames;

namespace Switchboard.Conformance.Tests.Sections;

/// <summary>
/// Autobahn's UTF-8 decoder table (cases 6.5 to 6.23), taken from Markus Kuhn's UTF-8-test.txt: each group is a
/// list of byte strings with whether they are valid UTF-8 (RFC 3629: no overlongs, no surrogates, nothing above
/// U+10FFFF).
/// </summary>
public static class Utf8Table
{
    public sealed record Group(int Number, string Title, IReadOnlyList<(bool Valid, byte[] Bytes)> Entries);

    /// <summary>κόσμε: two-, three- and two-byte sequences mixed.</summary>
    public static readonly byte[] Kosme = Hex("cebae1bdb9cf83cebcceb5");

    public static IReadOnlyList<Group> Groups { get; } = Build();

    private static List<Group> Build()
    {
        var groups = new List<(string Title, List<(bool, byte[])> Entries)>();
        void Add(string title, params (bool, string)[] entries) => groups.Add((title, entries.Select(e => (e.Item1, Hex(e.Item2))).ToList()));

        Add("Some valid UTF-8 sequences",
            (true, "68656c6c6f24776f726c64"), (true, "68656c6c6fc2a2776f726c64"), (true, "68656c6c6fe282ac776f726c64"),
            (true, "68656c6c6ff0a4ada2776f726c64"), (true, "cebae1bdb9cf83cebcceb5"));

        // Every prefix of κόσμε: valid exactly when it ends on a code point boundary.
        groups.Add(("All prefixes of a valid UTF-8 string that contains multi-byte code points",
            Enumerable.Range(1, Kosme.Length).Select(n => (n is 2 or 5 or 7 or 9 or 11, Kosme[..n])).ToList()));

        Add("First possible sequence of a certain length", (true, "00"), (true, "c280"), (true, "e0a080"), (true, "f0908080"));
        Add("First possible sequence length 5/6 (invalid codepoints)", (false, "f888808080"), (false, "fc8480808080"));
        Add("Last possible sequence of a certain length", (true, "7f"), (true, "dfbf"), (true, "efbfbf"), (true, "f48fbfbf"));
        Add("Last possible sequence length 4/5/6 (invalid codepoints)", (false, "f7bfbfbf"), (false, "fbbfbfbfbf"), (false, "fdbfbfbfbfbf"));
        Add("Other boundary conditions", (true, "ed9fbf"), (true, "ee8080"), (true, "efbfbd"), (true, "f48fbfbf"), (false, "f4908080"));

        var continuation = Enumerable.Range(0x80, 0x3f).Select(b => (byte)b).ToArray();
        Add("Unexpected continuation bytes", (false, "80"), (false, "bf"), (false, "80bf"), (false, "80bf80"), (false, "80bf80bf"),
            (false, "80bf80bf80"), (false, "80bf80bf80bf"), (false, Convert.ToHexString(continuation)));

        // Each lonely start byte followed by a space, for the ranges Autobahn uses (upper bound excluded).
        (int From, int To)[] starts = [(0xc0, 0xdf), (0xe0, 0xef), (0xf0, 0xf7), (0xf8, 0xfb), (0xfc, 0xfd)];
        Add("Lonely start characters", starts.Select(r => (false, string.Concat(Enumerable.Range(r.From, r.To - r.From).Select(b => $"{b:x2}20")))).ToArray());

        string[] truncated = ["c0", "e080", "f08080", "f8808080", "fc80808080", "df", "efbf", "f7bfbf", "fbbfbfbf", "fdbfbfbfbf"];
        Add("Sequences with last continuation byte missing", truncated.Select(t => (false, t)).ToArray());
        Add("Concatenation of incomplete sequences", (false, string.Concat(truncated)));
        Add("Impossible bytes", (false, "fe"), (false, "ff"), (false, "fefeffff"));
        Add("Examples of an overlong ASCII character", (false, "c0af"), (false, "e080af"), (false, "f08080af"), (false, "f8808080af"), (false, "fc80808080af"));
        Add("Maximum overlong sequences", (false, "c1bf"), (false, "e09fbf"), (false, "f08fbfbf"), (false, "f887bfbfbf"), (false, "fc83bfbfbfbf"));
        Add("Overlong representation of the NUL character", (false, "c080"), (false, "e08080"), (false, "f0808080"), (false, "f880808080"), (false, "fc8080808080"));
        Add("Single UTF-16 surrogates", (false, "eda080"), (false, "edadbf"), (false, "edae80"), (false, "edafbf"), (false, "edb080"), (false, "edbe80"), (false, "edbfbf"));
        Add("Paired UTF-16 surrogates", (false, "eda080edb080"), (false, "eda080edbfbf"), (false, "edadbfedb080"), (false, "edadbfedbfbf"),
            (false, "edae80edb080"), (false, "edae80edbfbf"), (false, "edafbfedb080"), (false, "edafbfedbfbf"));

        // Noncharacters are valid UTF-8 (Unicode Corrigendum #9): EF BF BE/BF and F[0-4] [89AB]F BF BE/BF below U+110000.
        var nonCharacters = new List<(bool, string)> { (true, "efbfbe"), (true, "efbfbf") };
        foreach (var z1 in new[] { "f0", "f1", "f2", "f3", "f4" })
        {
            foreach (var z2 in new[] { "8f", "9f", "af", "bf" })
            {
                if (z1 == "f4" && z2 != "8f") continue;
                foreach (var z3 in new[] { "be", "bf" })
                {
                    var candidate = z1 + z2 + "bf" + z3;
                    if (candidate is not ("f08fbfbe" or "f08fbfbf")) nonCharacters.Add((true, candidate));
                }
            }
        }
        Add("Non-character code points (valid UTF-8)", [.. nonCharacters]);
        Add("Unicode specials (i.e. replacement char)", (true, "efbfb9"), (true, "efbfba"), (true, "efbfbb"), (true, "efbfbc"), (true, "efbfbd"), (true, "efbfbe"), (true, "efbfbf"));

        return groups.Select((g, i) => new Group(5 + i, g.Title, g.Entries)).ToList();
    }

    public static string Show(byte[] bytes) => "0x" + Convert.ToHexString(bytes).ToLowerInvariant() + (bytes.Length > 0 && System.Text.Unicode.Utf8.IsValid(bytes) && bytes.All(b => b >= 0x20) ? $" \"{Encoding.UTF8.GetString(bytes)}\"" : "");
}
