using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Aegir.Core.Contexts;

namespace Aegir.PowerShell.Completion;

public sealed class AnyContextNameCompleter() : ContextNameCompleter(null);
