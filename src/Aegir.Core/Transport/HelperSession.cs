using Renci.SshNet;
using Renci.SshNet.Common;

namespace Aegir.Core.Transport;

/// <summary>
/// One channel running the remote helper in its serving mode: requests go in as frames and answers come back, so a
/// quick request costs a fork on the server instead of a channel and a perl start. Used by one caller at a time.
/// </summary>
internal sealed class HelperSession : IDisposable
{
    readonly SshCommand _command;
    readonly Stream _input;
    readonly Stream _output;

    public SshClient Client { get; }

    HelperSession(SshClient client, SshCommand command, Stream input)
    {
        Client = client;
        _command = command;
        _input = input;
        _output = command.OutputStream;
    }

    public static HelperSession Open(SshClient client, string boot, byte[] start)
    {
        var command = client.CreateCommand(boot);
        command.CommandTimeout = System.Threading.Timeout.InfiniteTimeSpan;
        _ = command.ExecuteAsync();
        Stream input;
        try
        {
            input = command.CreateInputStream();
            input.Write(start);
            input.Flush();
        }
        catch (InvalidOperationException ex)
        {
            // A helper that ended at once (no perl there, a shell that exits) leaves no input stream to write to.
            command.Dispose();
            throw new SshConnectionException($"the server's helper ended before it was given its request ({ex.Message})");
        }
        return new HelperSession(client, command, input);
    }

    /// <summary>
    /// The longest answer part taken: the helper keeps 16 MiB of each output (as <see cref="BoundedText"/> does here) and
    /// says what it left out, so a longer one is no helper of ours and the session is done with.
    /// </summary>
    internal const int MaxPart = BoundedText.DefaultLimit + 1024;

    /// <summary>One request (its fields and input, as the helper reads them); a session that fails is done with.</summary>
    public CommandResult Call(byte[] request, TimeSpan timeout) => Call(request, timeout, null);

    /// <summary>As <see cref="Call(byte[], TimeSpan)"/>, with standard output's bytes as they came into <paramref name="output"/> when given.</summary>
    public CommandResult Call(byte[] request, TimeSpan timeout, Stream? output)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var head = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(head, (uint)request.Length);
        var reading = Task.Run(() =>
        {
            _input.Write(head);
            _input.Write(request);
            _input.Flush();
            int code = (int)ReadLength();
            var stdout = ReadPart();
            var error = System.Text.Encoding.UTF8.GetString(ReadPart());
            return (code, stdout, error);
        });
        // The helper ends a command whose time is up; this side waits a little longer for it to say so.
        bool done;
        try { done = reading.Wait(timeout + TimeSpan.FromSeconds(30)); }
        catch (AggregateException) { done = true; }
        if (!done) throw new SshConnectionException($"no answer from the server within {timeout}");
        (int Code, byte[] Output, string Error) answer;
        try { answer = reading.GetAwaiter().GetResult(); }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException) { throw new SshConnectionException($"the server's helper ended: {ex.Message}"); }
        var (exit, stdout, stderr) = answer;
        output?.Write(stdout);
        var text = output is null ? System.Text.Encoding.UTF8.GetString(stdout) : "";
        return new CommandResult(exit, text, stderr, clock.Elapsed, TimedOut: exit == 124 && stderr.Contains("aegir-remote: timed out", StringComparison.Ordinal));
    }

    uint ReadLength()
    {
        var bytes = ReadExactly(4);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    byte[] ReadPart()
    {
        var length = ReadLength();
        if (length > MaxPart) throw new SshConnectionException($"the server's helper sent an answer of {length} bytes, more than the {MaxPart} it ever sends");
        return ReadExactly((int)length);
    }

    byte[] ReadExactly(int count)
    {
        var buffer = new byte[count];
        for (int at = 0; at < count;)
        {
            int n = _output.Read(buffer, at, count - at);
            if (n <= 0) throw new SshConnectionException("the server's helper ended");
            at += n;
        }
        return buffer;
    }

    public void Dispose()
    {
        try { _input.Dispose(); } catch (Exception ex) when (ex is IOException or SshException or ObjectDisposedException) { }
        _command.Dispose();
    }
}
