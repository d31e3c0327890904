namespace Aegir.Core.Errors;

/// <summary>
/// The error ids of failed steps (<see cref="ErrorCatalog.StepFailed"/>), declared once: what a script matches on
/// (-ErrorId, FullyQualifiedErrorId) is named here, not written out where each error is raised.
/// </summary>
public static class ErrorIds
{
    public const string AccessGrantFailed = "AccessGrantFailed";
    public const string AccountChangeFailed = "AccountChangeFailed";
    public const string AclFailed = "AclFailed";
    public const string ApplicationNotInstalled = "ApplicationNotInstalled";
    public const string BackupBroken = "BackupBroken";
    public const string BackupFailed = "BackupFailed";
    public const string BackupMismatch = "BackupMismatch";
    public const string BackupUnsafe = "BackupUnsafe";
    public const string CodebaseMissing = "CodebaseMissing";
    public const string CodebaseUnknown = "CodebaseUnknown";
    public const string CodebaseUnreadable = "CodebaseUnreadable";
    public const string CommitIncomplete = "CommitIncomplete";
    public const string CronFailed = "CronFailed";
    public const string DbAccessRulesBusy = "DbAccessRulesBusy";
    public const string DbAccessRulesRejected = "DbAccessRulesRejected";
    public const string DbAccessRulesUnreadable = "DbAccessRulesUnreadable";
    public const string DbAdminInsufficient = "DbAdminInsufficient";
    public const string DbNamesExhausted = "DbNamesExhausted";
    public const string DbServerUnknown = "DbServerUnknown";
    public const string DbToolFailed = "DbToolFailed";
    public const string DbTypeDiffers = "DbTypeDiffers";
    public const string DbUserTaken = "DbUserTaken";
    public const string DiskFull = "DiskFull";
    public const string DiskSpaceUnknown = "DiskSpaceUnknown";
    public const string InstallNotConfirmed = "InstallNotConfirmed";
    public const string InstallerFailed = "InstallerFailed";
    public const string InstallerMissing = "InstallerMissing";
    public const string LocalServiceFailed = "LocalServiceFailed";
    public const string NoCronCommand = "NoCronCommand";
    public const string PackagesMissing = "PackagesMissing";
    public const string PathBlocked = "PathBlocked";
    public const string PermissionsFailed = "PermissionsFailed";
    public const string PlatformKindDiffers = "PlatformKindDiffers";
    public const string PlatformNotVerified = "PlatformNotVerified";
    public const string ServerNotVerified = "ServerNotVerified";
    public const string RestoreFailed = "RestoreFailed";
    public const string SchemaBackwards = "SchemaBackwards";
    public const string ServerUnreachable = "ServerUnreachable";
    public const string PhpPoolFailed = "PhpPoolFailed";
    public const string PoolValueUncarried = "PoolValueUncarried";
    public const string SiteAccountFailed = "SiteAccountFailed";
    public const string SiteAccountTaken = "SiteAccountTaken";
    public const string SiteAlreadyInstalled = "SiteAlreadyInstalled";
    public const string SiteDatabaseGone = "SiteDatabaseGone";
    public const string SiteFolderExists = "SiteFolderExists";
    public const string SiteNotInstalled = "SiteNotInstalled";
    public const string SiteSettingsUnread = "SiteSettingsUnread";
    public const string StepFailed = "StepFailed";
    public const string UndoDataMissing = "UndoDataMissing";
    public const string UserSwitchRefused = "UserSwitchRefused";
    public const string WebReloadFailed = "WebReloadFailed";
    public const string PlatformBuildFailed = "PlatformBuildFailed";
    public const string Aegir3DependencyFailed = "Aegir3DependencyFailed";
    public const string UpdateFailed = "UpdateFailed";
}
