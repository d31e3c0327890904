namespace Aegir.Core.Transport;

public enum PathKind { None, File, Directory, Symlink, Other }
