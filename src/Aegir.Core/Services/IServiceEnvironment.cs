using Aegir.Core.Contexts;
using Aegir.Core.Templates;
using Aegir.Core.Transport;

namespace Aegir.Core.Services;

/// <summary>What a service needs from the task it works for: AEGIR_HOME, the templates, and connections to servers.</summary>
public interface IServiceEnvironment
{
    string Home { get; }

    TemplateRenderer Templates { get; }

    /// <summary>The module's folder on a server: its record's aegir_root, else AEGIR_HOME here and /var/aegir elsewhere.</summary>
    string HomeOn(AegirServer server);

    /// <summary>A server's record as it is now, read once per task (a cluster's members).</summary>
    AegirServer Server(string name);

    /// <summary>A server's web service, made once per task.</summary>
    IHttpService Http(AegirServer server);

    /// <summary>The task's connection to a server (opened once per task).</summary>
    ITransport Connect(AegirServer server);
}
