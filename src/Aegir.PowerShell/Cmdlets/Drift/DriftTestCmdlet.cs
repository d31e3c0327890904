using System.Management.Automation;
using Aegir.Core.Contexts;
using Aegir.Core.Errors;
using Aegir.Core.Operations;
using Aegir.Core.Operations.Drift;
using Aegir.PowerShell.Completion;

namespace Aegir.PowerShell.Cmdlets.Drift;

/// <summary>
/// What Test-AegirServer, -Platform and -Site share: the records named, piped, or all of their type when none is given;
/// each difference written as an <see cref="AegirDrift"/>, then one non-terminating error per target that drifted
/// (so -ErrorAction Stop fails a CI step); with -Quiet a single true (no drift anywhere) or false. Changes nothing.
/// </summary>
public abstract class DriftTestCmdlet<T> : AegirCmdlet where T : AegirContext
{
    /// <summary>The records to test; every record of the type when left out.</summary>
    [Parameter(Position = 0, ParameterSetName = "ByName", ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RecordNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "ByInputObject", ValueFromPipeline = true)]
    public T? InputObject { get; set; }

    /// <summary>Only true when nothing drifted (and every target could be read), else false; no objects, no drift errors.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    bool _clean = true;

    /// <summary>The differences of one record, by its canonical name.</summary>
    protected abstract IReadOnlyList<AegirDrift> Test(Engine engine, string name);

    /// <summary>The records tested when none is named: every one of the type (a site only once installed).</summary>
    protected virtual bool Tested(T record) => true;

    protected override void ProcessRecord()
    {
        var type = ContextNames.TypeOf<T>();
        if (InputObject is null && Name is null)
        {
            foreach (var record in Store.List(type).Contexts.OfType<T>().Where(Tested).OrderBy(c => c.Name, StringComparer.Ordinal)) One(record.Name);
            return;
        }
        ForEachRecord(InputObject, Name, "Name", type, One);
    }

    void One(string name)
    {
        IReadOnlyList<AegirDrift> found;
        try { found = Test(Engine, name); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            _clean = false;
            WriteAegirError(ErrorCatalog.DriftUnread(name, ex.Message, ex), name);
            return;
        }
        catch (AegirException)
        {
            _clean = false;
            throw;
        }
        if (found.Count == 0) return;
        _clean = false;
        if (Quiet) return;
        foreach (var drift in found) WriteObject(drift);
        WriteAegirError(ErrorCatalog.DriftFound(name, found.Count, found.Select(d => d.Fix).Distinct().Count() == 1 ? found[0].Fix : $"Invoke-AegirVerify {name} (and what each difference's Fix says)"), name);
    }

    protected override void EndProcessing()
    {
        if (Quiet) WriteObject(_clean);
    }
}
