namespace Switchboard.Generators.Helpers;

/// <summary>The naming policy of <c>System.Text.Json</c>'s <c>JsonNamingPolicy.CamelCase</c>, replicated so that names match byte for byte.</summary>
internal static class JsonNaming
{
    /// <summary>Lowercases the leading run of uppercase letters, keeping the last one when a lowercase letter follows: <c>URLValue</c> becomes <c>urlValue</c>.</summary>
    public static string CamelCase(string name)
    {
        if (name.Length == 0 || !char.IsUpper(name[0]))
        {
            return name;
        }

        char[] chars = name.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (i == 1 && !char.IsUpper(chars[i]))
            {
                break;
            }

            bool hasNext = i + 1 < chars.Length;

            // Stop when the next character is not uppercase; a following space lowercases the current one first.
            if (i > 0 && hasNext && !char.IsUpper(chars[i + 1]))
            {
                if (chars[i + 1] == ' ')
                {
                    chars[i] = char.ToLowerInvariant(chars[i]);
                }

                break;
            }

            chars[i] = char.ToLowerInvariant(chars[i]);
        }

        return new string(chars);
    }
}
