using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Aegir.Core.Contexts;
using Aegir.Core.Services;

namespace Aegir.PowerShell.Completion;

public sealed class HttpServiceTypeCompleter() : ServiceTypeCompleter(ServiceCatalog.Http);
