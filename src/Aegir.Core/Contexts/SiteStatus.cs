namespace Aegir.Core.Contexts;

public enum SiteStatus { NotInstalled, Installed, Disabled }
