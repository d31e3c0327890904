namespace Aegir.Core.Transport;

/// <summary>An ssh-agent that cannot be used: its message says why (it completes "the agent at SOCKET ..."); callers name the server and the fix.</summary>
public sealed class SshAgentException(string message, Exception? inner = null) : Exception(message, inner);
