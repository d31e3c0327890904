using Aegir.Core.Contexts;

namespace Aegir.Core.Contexts;

/// <summary>What a setting holds, which decides how its value is checked (ServerList: server names, a cluster's members; Url: an https:// address).</summary>
public enum SettingKind { Text, Port, Host, Path, Command, PosixName, Secret, ListenAddress, Fingerprint, Choice, ServerList, Email, Url }
