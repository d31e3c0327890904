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

    /// <summary>
    /// The engine's folders, lowest first: a folder's code names only folders of lower layers (files, records and
    /// errors at the bottom; queues, schedules and the local server at the top), so no two folders lean on each other.
    /// </summary>
    static readonly string[][] Layers =
    [
        ["IO", "Errors"], ["Yaml"], ["Contexts", "Templates"], ["Tasks", "Transport"], ["Machine"], ["Services"], ["Platforms"],
        ["Backups"], ["Operations"], ["Schedules"], ["Queues", "Local"],
    ];

    [Fact]
    public void Each_engine_folder_names_only_the_folders_below_it()
    {
        var core = Path.Combine(Root(), "src", "Aegir.Core");
        var layer = Layers.SelectMany((names, i) => names.Select(n => (n, i))).ToDictionary(x => x.n, x => x.i);
        var folders = Directory.EnumerateDirectories(core).Select(Path.GetFileName).Where(d => d is not ("bin" or "obj") && Directory.EnumerateFiles(Path.Combine(core, d!), "*.cs", SearchOption.AllDirectories).Any()).ToList();
        Assert.Empty(folders.Where(f => !layer.ContainsKey(f!)).Select(f => $"{f} has no place in the layers"));
        var wrong = new List<string>();
        var names = string.Join("|", layer.Keys);
        var reference = new Regex($@"(?:\busing\s+(?:static\s+)?Aegir\.Core\.({names})\b)|(?:(?<![\w.])(?:Aegir\.Core\.)?({names})\.[A-Z])");
        foreach (var folder in folders)
            foreach (var file in Directory.EnumerateFiles(Path.Combine(core, folder!), "*.cs", SearchOption.AllDirectories))
            {
                var text = File.ReadAllText(file);
                var relative = Path.GetRelativePath(core, file);
                if (!Regex.IsMatch(text, $@"^namespace Aegir\.Core\.{folder}(\.[\w.]+)?;", RegexOptions.Multiline)) wrong.Add($"{relative} is not in the namespace of its folder");
                // Code only: comments and the text of strings say what they like.
                var code = Regex.Replace(text, @"//[^\n]*|@?""(?:[^""\\\n]|\\.|"""")*""", "");
                foreach (Match m in reference.Matches(code))
                {
                    var target = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
                    if (target != folder && layer[target] >= layer[folder!]) wrong.Add($"{relative} names {target}, which is not below {folder}");
                }
            }
        Assert.Empty(wrong.Distinct());
    }

    [Fact]
    public void The_kinds_a_platform_record_may_name_are_the_platform_kinds()
        => Assert.Equal(Platforms.PlatformKinds.Names, Contexts.PlatformKindNames.All);

    [GeneratedRegex(@"StepFailed\(""([A-Za-z]+)""")]
    private static partial Regex LiteralStepId();

    [GeneratedRegex(@"^(?:public|internal)\s+(?:(?:sealed|static|abstract|partial|readonly)\s+)*(?:class|record struct|record|interface|enum|struct)\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();
}
