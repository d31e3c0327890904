using Aegir.Core.Errors;

namespace Aegir.Core.Contexts;

/// <summary>
/// Who may be granted a client's sites: a login of a person, never root nor an account a service or the system runs
/// as (its files and powers would come with it). Verified again on each server (Transport.ScriptUser.Privilege).
/// </summary>
public static class ClientPeople
{
    public static string Check(string parameter, string? value)
    {
        var name = Validate.PosixName(parameter, value);
        const string fix = "Grant the person's own login, such as alice (Grant-AegirClientAccess -Create makes one).";
        if (name == "root") throw ErrorCatalog.InvalidValue(parameter, name, "root holds every power already, and no site's command runs as root", fix);
        if (AccountNames.IsServiceName(name) || name == AegirServer.DefaultScriptUser || name == "www-data")
            throw ErrorCatalog.InvalidValue(parameter, name, "it is the account a service runs as, not a person's", fix);
        return name;
    }
}
