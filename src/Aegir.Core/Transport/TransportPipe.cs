using System.IO.Pipes;

namespace Aegir.Core.Transport;

/// <summary>
/// Runs a program through a transport while this process reads its output (or writes its input) as a stream, so a
/// site's folders travel as one tar stream without a copy on disk.
/// </summary>
public static class TransportPipe
{
    /// <summary>Runs <paramref name="spec"/> with its output going to <paramref name="consume"/> as it comes.</summary>
    public static CommandResult Read(ITransport transport, CommandSpec spec, Action<Stream> consume)
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        using var client = new AnonymousPipeClientStream(PipeDirection.In, server.ClientSafePipeHandle);
        var run = Task.Run(() =>
        {
            try { return transport.Run(spec with { OutputStream = server }); }
            finally { server.Dispose(); }   // the reader sees the end
        });
        try { consume(client); }
        finally
        {
            client.CopyTo(Stream.Null);   // whatever the consumer left, so the program can finish
            client.Dispose();
            ((IAsyncResult)run).AsyncWaitHandle.WaitOne();   // never leave the program running behind a failure
        }
        return run.GetAwaiter().GetResult();
    }

    /// <summary>Runs <paramref name="spec"/> with its input written by <paramref name="produce"/>.</summary>
    public static CommandResult Write(ITransport transport, CommandSpec spec, Action<Stream> produce)
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        using var client = new AnonymousPipeClientStream(PipeDirection.In, server.ClientSafePipeHandle);
        var run = Task.Run(() =>
        {
            try { return transport.Run(spec with { InputStream = client }); }
            finally { client.Dispose(); }
        });
        try { produce(server); }
        catch (IOException) when (run.IsCompleted) { /* the program stopped reading: its result says why */ }
        finally
        {
            server.Dispose();
            ((IAsyncResult)run).AsyncWaitHandle.WaitOne();   // what it wrote is all there before anyone cleans up
        }
        return run.GetAwaiter().GetResult();
    }
}
