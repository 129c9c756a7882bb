using System;
using System.Globalization;
using System.Text.Json;

namespace TinyHttp.Testing;

/// <summary>
/// JsonBodyMatch compares a request's JSON body with what a route or an assertion expects, with System.Text.Json:
/// a partial object (every expected property present and equal, recursively; extra properties ignored) and a value
/// found by a path such as <c>$.customer.id</c> or <c>items[0].sku</c>.
/// </summary>
internal static class JsonBodyMatch
{
    /// <summary>True when <paramref name="actual"/> has everything <paramref name="expected"/> has: objects by property (extra ones allowed), arrays element by element (same length), values by equality.</summary>
    internal static bool Contains(JsonElement actual, JsonElement expected)
    {
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                if (actual.ValueKind != JsonValueKind.Object)
                {
                    return false;
                }
                foreach (JsonProperty property in expected.EnumerateObject())
                {
                    if (!actual.TryGetProperty(property.Name, out JsonElement value) || !Contains(value, property.Value))
                    {
                        return false;
                    }
                }
                return true;
            case JsonValueKind.Array:
                if (actual.ValueKind != JsonValueKind.Array || actual.GetArrayLength() != expected.GetArrayLength())
                {
                    return false;
                }
                for (int i = 0; i < expected.GetArrayLength(); i++)
                {
                    if (!Contains(actual[i], expected[i]))
                    {
                        return false;
                    }
                }
                return true;
            case JsonValueKind.Number:
                return actual.ValueKind == JsonValueKind.Number && actual.GetDecimal() == expected.GetDecimal();
            case JsonValueKind.String:
                return actual.ValueKind == JsonValueKind.String && actual.GetString() == expected.GetString();
            default:
                return actual.ValueKind == expected.ValueKind;
        }
    }

    /// <summary>
    /// Finds the value at <paramref name="path"/>: an optional <c>$</c>, then property names after dots and array indexes
    /// in brackets (<c>$.items[0].sku</c>). False when any step is missing.
    /// </summary>
    internal static bool TryFind(JsonElement root, string path, out JsonElement value)
    {
        value = root;
        int i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                i++;
            }
            if (i < path.Length && path[i] == '[')
            {
                int close = path.IndexOf(']', i);
                if (close < 0 || !int.TryParse(path.AsSpan(i + 1, close - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                    || value.ValueKind != JsonValueKind.Array || index >= value.GetArrayLength())
                {
                    return false;
                }
                value = value[index];
                i = close + 1;
                continue;
            }
            int end = path.IndexOfAny(['.', '['], i);
            string name = end < 0 ? path[i..] : path[i..end];
            if (name.Length == 0 || value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(name, out value))
            {
                return false;
            }
            i = end < 0 ? path.Length : end;
        }
        return true;
    }

    /// <summary>The text a path condition compares: a string's value, any other value's JSON text (<c>7</c>, <c>true</c>, <c>null</c>, <c>{"a":1}</c>).</summary>
    internal static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
