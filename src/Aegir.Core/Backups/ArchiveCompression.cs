using System.Diagnostics;
using System.IO.Compression;
using Aegir.Core.Errors;

namespace Aegir.Core.Backups;

/// <summary>
/// The archive's compression: zstd through Debian's zstd program on all cores (the same code as the command line
/// tool, and several times faster than gzip), or gzip (read and written in process) for archives other tools take.
/// </summary>
public static class ArchiveCompression
{
    public const string Zstd = "zstd";
    public const string Gzip = "gzip";
    public static readonly IReadOnlyList<string> Names = [Zstd, Gzip];

    public static string Extension(string compression) => compression == Gzip ? ".tar.gz" : ".tar.zst";

    /// <summary>The compression of a file, by its first bytes; null when it is neither.</summary>
    public static string? Detect(string path)
    {
        if (!IO.Posix.IsRegularFile(path)) return null;
        Span<byte> head = stackalloc byte[4];
        using var file = File.OpenRead(path);
        int read = file.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (read >= 4 && head[0] == 0x28 && head[1] == 0xB5 && head[2] == 0x2F && head[3] == 0xFD) return Zstd;
        if (read >= 2 && head[0] == 0x1F && head[1] == 0x8B) return Gzip;
        return null;
    }

    /// <summary>A stream whose bytes land compressed in <paramref name="file"/>; disposing it finishes the file (and fails if the compressor did).</summary>
    public static Stream Compress(Stream file, string compression, Action<string> log)
        => compression == Gzip ? new GZipStream(file, CompressionLevel.Fastest, leaveOpen: false) : ZstdStream.Compress(file, log);

    public static Stream Decompress(string path, Action<string> log)
    {
        // A named pipe or a device would be read without end (or block the open): an archive is a file.
        if (!IO.Posix.IsRegularFile(path)) throw ErrorCatalog.InvalidValue("Path", path, "it is not a regular file (a named pipe or a device)", "Give the path of a backup archive file.");
        var compression = Detect(path) ?? throw ErrorCatalog.InvalidValue("Path", path, "it is not a zstd or gzip archive", "Give a backup made by Backup-AegirSite, or an Aegir 3 .tar.gz backup.");
        return compression == Gzip ? new GZipStream(File.OpenRead(path), CompressionMode.Decompress) : ZstdStream.Decompress(path, log);
    }

    /// <summary>The zstd program's input (compressing, its output copied to a file) or output (decompressing a file).</summary>
    sealed class ZstdStream : Stream
    {
        readonly Process _process;
        readonly Stream _pipe;
        readonly Task? _copy;
        readonly Stream? _file;
        readonly bool _writing;
        readonly Task<string> _errors;

        ZstdStream(Process process, bool writing, Stream? file)
        {
            _process = process;
            _writing = writing;
            _file = file;
            _errors = process.StandardError.ReadToEndAsync();
            _pipe = writing ? process.StandardInput.BaseStream : process.StandardOutput.BaseStream;
            if (writing && file is not null) _copy = process.StandardOutput.BaseStream.CopyToAsync(file);
        }

        static Process Start(Action<string> log, params string[] args)
        {
            Machine.Packages.Ensure([Zstd], log);
            var info = new ProcessStartInfo(Zstd) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) info.ArgumentList.Add(a);
            return Process.Start(info) ?? throw new IOException("zstd did not start");
        }

        public static Stream Compress(Stream file, Action<string> log) => new ZstdStream(Start(log, "-q", "-c", "-3", "-T0"), writing: true, file);

        public static Stream Decompress(string path, Action<string> log)
        {
            var process = Start(log, "-q", "-d", "-c", "--", path);
            process.StandardInput.Close();
            return new ZstdStream(process, writing: false, null);
        }

        public override bool CanRead => !_writing;
        public override bool CanWrite => _writing;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => _pipe.Flush();
        public override int Read(byte[] buffer, int offset, int count) => _pipe.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => _pipe.Read(buffer);
        public override void Write(byte[] buffer, int offset, int count) => _pipe.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => _pipe.Write(buffer);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        bool _closed;

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_closed)
            {
                _closed = true;
                try
                {
                    if (_writing)
                    {
                        _pipe.Dispose();
                        _copy!.GetAwaiter().GetResult();
                        _process.WaitForExit();
                        _file!.Flush();
                        _file.Dispose();
                        if (_process.ExitCode != 0) throw new IOException($"zstd failed: {_errors.Result.Trim()}");
                    }
                    else
                    {
                        if (!_process.HasExited) { try { _process.Kill(); } catch (InvalidOperationException) { } }
                        _process.WaitForExit();
                        _pipe.Dispose();
                    }
                }
                finally { _process.Dispose(); }
            }
            base.Dispose(disposing);
        }
    }
}
