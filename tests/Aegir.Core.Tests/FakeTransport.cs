using System.Text;
using Aegir.Core.Transport;

namespace Aegir.Core.Tests;

/// <summary>Files in memory and commands answered by a handler: for the services' logic without a server.</summary>
public sealed class FakeTransport(Func<CommandSpec, CommandResult> handler) : ITransport
{
    public readonly Dictionary<string, byte[]> Files = new();
    public readonly List<string> Commands = [];

    public CommandResult Run(CommandSpec spec)
    {
        Commands.Add(spec.ToString());
        return handler(spec);
    }

    public void WriteFile(string path, byte[] content, UnixFileMode mode, string? owner = null, string? group = null) => Files[path] = content;
    public byte[]? ReadFile(string path) => Files.TryGetValue(path, out var b) ? b : null;
    public bool FileExists(string path) => Files.ContainsKey(path);
    public bool DirectoryExists(string path) => true;
    public void CreateDirectory(string path, UnixFileMode mode) { }
    public void Delete(string path) => Files.Remove(path);

    public string Text(string path) => Encoding.UTF8.GetString(Files[path]);

    public static CommandResult Ok => new(0, "", "", TimeSpan.Zero);
    public static CommandResult Fail(string error) => new(1, "", error, TimeSpan.Zero);
}
