namespace Aegir.Core.Tasks;

/// <summary>
/// One change in a task's journal. A change that can be undone is written as <see cref="JournalState.Started"/>
/// with its <see cref="Undo"/> before it is made, and marked <see cref="JournalState.Done"/> after. Past a
/// task's point of no return (dropping a database), its remaining changes are written down together as
/// <see cref="JournalState.Pending"/> with their <see cref="Forward"/> action, and done one by one. So a task
/// killed at any moment leaves a record of exactly what to undo, or what to finish.
/// </summary>
public sealed class JournalEntry
{
    public int Step { get; init; }
    public string Description { get; init; } = "";
    [Newtonsoft.Json.JsonIgnore]   // ConvertTo-Json writes its name (the module's types file)
    public JournalState State { get; set; }
    /// <summary>How to undo the change.</summary>
    [Newtonsoft.Json.JsonIgnore]   // ConvertTo-Json writes its description (the module's types file)
    public JournalAction? Undo { get; init; }
    /// <summary>The change itself, for a step past the point of no return: a repair finishes it rather than undoing.</summary>
    [Newtonsoft.Json.JsonIgnore]
    public JournalAction? Forward { get; init; }
    /// <summary>Why an undo or a finishing step failed, or waits.</summary>
    public string? Problem { get; set; }
    /// <summary>
    /// A temporary file or folder (an installer's script): deleted when its step ends, and by any recovery of the
    /// task, past its point of no return too.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool Temporary { get; init; }

    public override string ToString() => $"{Step} {State} {Description}";
}

