namespace Switchboard.Generators.Helpers;

/// <summary>
/// The grammar of wire names: 1 to 128 characters; lowercase ASCII segments of letters and digits
/// separated by single <c>.</c>, <c>-</c> or <c>_</c>; the first character a letter.
/// </summary>
internal static class WireNames
{
    public const int MaxLength = 128;

    public static bool IsValid(string? name)
    {
        if (name is null || name.Length is 0 or > MaxLength || name[0] is < 'a' or > 'z')
        {
            return false;
        }

        bool previousWasSeparator = false;
        foreach (char c in name)
        {
            bool isSeparator = c is '.' or '-' or '_';
            if (isSeparator ? previousWasSeparator : c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9')))
            {
                return false;
            }

            previousWasSeparator = isSeparator;
        }

        return !previousWasSeparator;
    }
}
