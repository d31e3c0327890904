using System.Text.RegularExpressions;

namespace Aegir.Core.Tests;

/// <summary>How the source is laid out: each file holds the one type it is named for (nested types aside).</summary>
public partial class SourceLayoutTests
{
    static string Root()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Aegir.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("no Aegir.sln above the tests");
        return root;
    }

    [Fact]
    public void Every_source_file_holds_the_one_type_it_is_named_for()
    {
        var root = Root();
        var misplaced = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/"))
            .SelectMany(f => TopLevelType().Matches(File.ReadAllText(f)).Select(m => (File: f, Type: m.Groups[1].Value)))
            .Where(x => x.Type != Path.GetFileNameWithoutExtension(x.File))
            .Select(x => $"{Path.GetRelativePath(root, x.File)} holds {x.Type}").ToList();
        Assert.Empty(misplaced);
    }

    [Fact]
    public void Every_error_id_a_failed_step_raises_is_declared_once_in_the_catalogue()
    {
        var root = Root();
        var sources = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/")).ToDictionary(f => Path.GetRelativePath(root, f), File.ReadAllText);
        var inline = sources.SelectMany(s => LiteralStepId().Matches(s.Value).Select(m => $"{s.Key}: StepFailed(\"{m.Groups[1].Value}\"")).ToList();
        Assert.Empty(inline);
        var declared = typeof(Errors.ErrorIds).GetFields().Select(f => f.Name).ToList();
        var unused = declared.Where(id => !sources.Values.Any(text => text.Contains("ErrorIds." + id, StringComparison.Ordinal))).ToList();
        Assert.Empty(unused);
        var raisedElsewhere = sources.Where(s => !s.Key.Contains("/Errors/") && s.Value.Contains("new AegirException(", StringComparison.Ordinal)).Select(s => s.Key).ToList();
        Assert.Empty(raisedElsewhere);
    }

    [GeneratedRegex(@"StepFailed\(""([A-Za-z]+)""")]
    private static partial Regex LiteralStepId();

    [GeneratedRegex(@"^(?:public|internal)\s+(?:(?:sealed|static|abstract|partial|readonly)\s+)*(?:class|record struct|record|interface|enum|struct)\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();
}
