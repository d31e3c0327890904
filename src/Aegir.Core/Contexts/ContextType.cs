namespace Aegir.Core.Contexts;

public enum ContextType { Server, Platform, Site, Client }
