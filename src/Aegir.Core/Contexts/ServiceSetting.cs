using Aegir.Core.Contexts;

namespace Aegir.Core.Contexts;

/// <summary>A setting a service type adds to the servers that use it.</summary>
public sealed record ServiceSetting(string Name, SettingKind Kind, string? Default, string Description, CommandRule? Rule = null)
{
    /// <summary>The values a <see cref="SettingKind.Choice"/> setting takes.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>Checks and normalises a value for this setting.</summary>
    public string Normalise(string service, string? value)
    {
        var parameter = $"The {service} setting '{Name}'";
        return Kind switch
        {
            SettingKind.Port => Validate.Port(parameter, ParsePort(parameter, value)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            SettingKind.Host => Validate.RemoteHost(parameter, value),
            SettingKind.Path => Validate.AbsolutePath(parameter, value),
            SettingKind.Command => CheckRule(parameter, Validate.Command(parameter, value)),
            SettingKind.PosixName => Validate.PosixName(parameter, value),
            SettingKind.Secret => Validate.Secret(parameter, value),
            SettingKind.Choice => Choices.Contains(value ?? "", StringComparer.Ordinal) ? value!
                : throw Errors.ErrorCatalog.InvalidValue(parameter, value, $"it is none of {string.Join(", ", Choices)}", $"Give one of {string.Join(", ", Choices)}."),
            SettingKind.ServerList => ServerList(parameter, value),
            SettingKind.Fingerprint => Validate.HostKeyFingerprint(parameter, value),
            SettingKind.Email => Validate.Email(parameter, value),
            SettingKind.Url => Validate.HttpsUrl(parameter, value),
            SettingKind.ListenAddress => value == "*" ? value
                : System.Net.IPAddress.TryParse(value, out var ip) && value!.All(c => char.IsAsciiHexDigit(c) || c is '.' or ':') ? ip.ToString()
                : throw Errors.ErrorCatalog.InvalidValue(parameter, value, "it is neither * nor an IP address", "Give * for every address, or one IP address such as 127.0.0.1 or ::1."),
            _ => ValidateText(parameter, value),
        };
    }

    string CheckRule(string parameter, string command)
    {
        if (Rule is not null && !Rule.Allows(command.Split(' ')))
            throw Errors.ErrorCatalog.InvalidValue(parameter, command, "it is not one of the commands this setting may run", Rule.Forms);
        return command;
    }

    /// <summary>Server names, with or without '@' and 'server_', separated by commas or spaces: kept canonical, each once, comma-separated.</summary>
    static string ServerList(string parameter, string? value)
    {
        var names = (value ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries)
            .Select(n => ContextNames.Canonical(parameter, n, ContextType.Server)).Distinct(StringComparer.Ordinal).ToList();
        if (names.Count == 0) throw Errors.ErrorCatalog.InvalidValue(parameter, value, "it names no server", "Name the member web servers, as in -ClusterMembers web1, web2.");
        return string.Join(',', names);
    }

    static int ParsePort(string parameter, string? value)
        => int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            ? port
            : throw Errors.ErrorCatalog.InvalidValue(parameter, value, "a port is a whole number", "Give a number from 1 to 65535.");

    static string ValidateText(string parameter, string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 256 || value.Any(char.IsControl))
            throw Errors.ErrorCatalog.InvalidValue(parameter, value, "it must be 1 to 256 printable characters", "Give a short value on one line.");
        return value;
    }
}
