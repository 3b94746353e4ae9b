using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ledger.ServiceDefaults;

/// <summary>
/// Instants are ISO 8601 with an offset (API.md). Without one, "09:00" would silently mean the server's
/// local time, and a sale would open hours off; so an instant with no offset is refused.
/// </summary>
public sealed class StrictInstantConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (text is null || !HasOffset(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            throw new JsonException("An instant is ISO 8601 with an offset, e.g. 2022-12-01T09:00:00+09:00.");
        }

        return instant;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture));

    // The time part ends in Z or in +hh:mm / -hh:mm.
    private static bool HasOffset(string text)
    {
        var time = text.IndexOf('T', StringComparison.Ordinal);
        return time > 0 && (text.EndsWith('Z') || text.IndexOfAny(['+', '-'], time) > 0);
    }
}
