namespace Aegir.PowerShell;

/// <summary>
/// Where each cmdlet's page (docs/Verb-Noun.md) is published, for Get-Help -Online. One place, so a move of the
/// repository is one change here and in the manifest's ProjectUri.
/// </summary>
static class HelpLinks
{
    public const string Docs = "https://github.com/aegir-project/aegir-powershell/blob/main/docs/";
}
