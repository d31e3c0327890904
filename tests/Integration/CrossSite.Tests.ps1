# A site answers only for itself: on nginx and on Apache, for each kind of platform, two sites side by side, and
# every request one of them makes for the other's folders, uploads, settings or planted links, through either's
# host name, spelled plainly or escaped, doubled and dotted, is refused (404 or 403), never a 200 with the content.
BeforeDiscovery {
    . $PSScriptRoot/IntegrationHelpers.ps1
    $skip = -not (Test-IsRoot)
    $platforms = foreach ($web in 'nginx', 'apache') {
        foreach ($kind in 'drupal', 'drupal7', 'wordpress', 'php', 'manifest') { @{ Web = $web; Kind = $kind } }
    }
}

Describe 'A site answers only for itself' -Skip:$skip {
    BeforeAll {
        . $PSScriptRoot/IntegrationHelpers.ps1
        Install-TestPackage wordpress
        $work = New-WorkFolder
        $env:AEGIR_HOME = Join-Path $work 'home'
        $null = Start-AegirLocalServer master -HttpServiceType nginx
        $null = Start-AegirLocalServer apachebox -HttpServiceType apache -NoDatabase
        $servers = @{ nginx = 'master'; apache = 'apachebox' }

        # What each kind keeps per site, from the platform's root ({uri}: the site's uri): its uploads first, then the
        # other folders its web server may write to; its settings file; and what all its sites share.
        $layouts = @{
            drupal    = @{ Folders = 'sites/{uri}/files', 'sites/{uri}/modules', 'sites/{uri}'; Settings = 'sites/{uri}/settings.php'; Shared = 'core/misc/drupal.js' }
            drupal7   = @{ Folders = 'sites/{uri}/files', 'sites/{uri}/themes', 'sites/{uri}'; Settings = 'sites/{uri}/settings.php'; Shared = 'misc/drupal.js', 'sites/all/modules/views/views.js' }
            wordpress = @{ Folders = @('wp-content/uploads/sites/{uri}'); Settings = $null; Shared = 'wp-includes/js/admin-bar.min.js', 'wp-content/plugins/akismet/readme.txt'
                # Where else the web server may write: the uploads tree above the sites' folders (a plugin's, a year's).
                Above = 'wp-content/uploads', 'wp-content/uploads/sites', 'wp-content/uploads/2026/12' }
            php       = @{ Folders = @('files/{uri}'); Settings = $null; Shared = 'assets/app.css', 'assets/linked.css' }
            manifest  = @{ Folders = 'uploads/{uri}', 'data/{uri}'; Settings = 'conf/{uri}.txt'; Shared = @('assets/app.css') }
        }

        function New-Shared([string] $Root, [string[]] $Paths) {
            foreach ($path in $Paths) {
                $null = New-Item -ItemType Directory -Force (Split-Path "$Root/$path")
                if (-not (Test-Path "$Root/$path")) { Set-Content "$Root/$path" "shared $path" }
            }
        }

        # The platform's code for a kind, recorded on the server and verified.
        function New-KindPlatform([string] $Kind, [string] $Name, [string] $Server) {
            $root = Join-Path $work "platforms/$Name"
            switch ($Kind) {
                'drupal' { New-DrupalShapedCodebase $root }
                'drupal7' { New-DrupalShapedCodebase $root -Seven }
                'wordpress' { $null = New-Item -ItemType Directory -Force (Split-Path $root); cp -rL /usr/share/wordpress $root }
                'php' {
                    Write-DbPage $root
                    New-Shared $root 'assets/app.css'
                    # Code that holds a link (as Debian's packages do): the link and its target are the codebase owner's.
                    $null = New-Item -ItemType SymbolicLink -Path "$root/assets/linked.css" -Target "$root/assets/app.css"
                }
                'manifest' {
                    Write-DbPage $root
                    Set-Content "$root/.aegir.yml" "name: Notes`nversion: 1.0.0`nsite_folders:`n  - uploads/{uri}`n  - data/{uri}`nsettings:`n  path: conf/{uri}.txt`n  template: aegir/settings.txt.sbn"
                    $null = New-Item -ItemType Directory -Force "$root/aegir"
                    Set-Content "$root/aegir/settings.txt.sbn" 'secret={{ secret }}'
                }
            }
            New-Shared $root $layouts[$Kind].Shared
            $null = New-AegirPlatform $Name $root -WebServer $Server
            $root
        }

        function Get-SitePath([string] $Pattern, [string] $Uri) { $Pattern.Replace('{uri}', $Uri) }

        # Files a site's PHP could have written (or an archive restored) in each of its folders: a script and a note.
        function Add-Plants([string] $Root, [string] $Kind, [string] $Uri) {
            foreach ($folder in $layouts[$Kind].Folders) {
                $full = Join-Path $Root (Get-SitePath $folder $Uri)
                $null = New-Item -ItemType Directory -Force $full
                Set-Content "$full/evil.php" '<?php echo "ran as ", $_SERVER["db_name"] ?? "nobody";'
                Set-Content "$full/note.txt" "note of $Uri"
                chown www-data:www-data "$full/evil.php" "$full/note.txt"
            }
        }

        # Every answer to a hostile request: refused, and nothing of what it asked for in it.
        function Assert-Refused($Answer, [string] $Because, [int[]] $Status = @(403, 404)) {
            $Answer.Status | Should -BeIn $Status -Because $Because
            $Answer.Body | Should -Not -Match 'ran as|note of|secret=|root:x:0:0' -Because $Because
        }
    }
    AfterAll {
        Stop-AegirLocalServer apachebox -RemoveData -Confirm:$false
        Stop-AegirLocalServer master -RemoveData -Confirm:$false
        Remove-Item -Recurse -Force $work
    }

    Describe '<Kind> on <Web>' -ForEach $platforms {
        BeforeAll {
            $server = $servers[$Web]
            $port = (Get-AegirServer $server).Http.GetInt('port')
            $layout = $layouts[$Kind]
            $root = New-KindPlatform $Kind "$Kind$Web" $server
            $a = "$Kind-a.$Web.test"
            $b = "$Kind-b.$Web.test"
            $null = New-AegirSite $a -Platform "$Kind$Web"
            $null = New-AegirSite $b -Platform "$Kind$Web"
            Add-Plants $root $Kind $a
            Add-Plants $root $Kind $b
            $uploads = Get-SitePath $layout.Folders[0] $a
            # Links a site's PHP could plant in its uploads (owned by the web server's user, as PHP's would be).
            $null = New-Item -ItemType SymbolicLink -Path "$root/$uploads/passwd" -Target /etc/passwd
            $null = New-Item -ItemType SymbolicLink -Path "$root/$uploads/neighbour.txt" -Target "$root/$(Get-SitePath $layout.Folders[0] $b)/note.txt"
            chown -h www-data:www-data "$root/$uploads/passwd" "$root/$uploads/neighbour.txt"
        }

        It 'runs no PHP from any folder of a site, through its own name or its neighbour''s' {
            foreach ($folder in $layout.Folders) {
                $path = "/$(Get-SitePath $folder $a)/evil.php"
                Assert-Refused (Invoke-RawSite -Port $port -HostName $a -Path $path) "$path is a site's data, never code"
                Assert-Refused (Invoke-RawSite -Port $port -HostName $b -Path $path) "$path is not $b's" -Status 404
            }
        }

        if ($Kind -eq 'wordpress') {
            It 'runs no PHP from the folders above a site''s that its web server may write to' {
                foreach ($folder in $layout.Above) {
                    $null = New-Item -ItemType Directory -Force "$root/$folder"
                    Set-Content "$root/$folder/above.php" '<?php echo "ran as ", $_SERVER["db_name"] ?? "nobody";'
                    chown www-data:www-data "$root/$folder/above.php"
                    Assert-Refused (Invoke-RawSite -Port $port -HostName $a -Path "/$folder/above.php") "/$folder is written by the web server, never code"
                    Remove-Item -Force "$root/$folder/above.php"
                }
            }
        }

        It 'serves a site''s uploads under its own name only' {
            $own = Invoke-RawSite -Port $port -HostName $a -Path "/$uploads/note.txt"
            $own.Status | Should -Be 200
            $own.Body | Should -Match "note of $([regex]::Escape($a))"
            foreach ($folder in $layout.Folders) {
                Assert-Refused (Invoke-RawSite -Port $port -HostName $b -Path "/$(Get-SitePath $folder $a)/note.txt") "$a's folders are not $b's" -Status 404
            }
        }

        # WordPress keeps one settings file for all its sites, and a php platform without a manifest none.
        if ($Kind -notin 'wordpress', 'php') {
            It 'serves a site''s settings file under no name' {
                $path = "/$(Get-SitePath $layout.Settings $a)"
                Test-Path "$root$path" | Should -BeTrue
                Assert-Refused (Invoke-RawSite -Port $port -HostName $a -Path $path) 'a settings file is never a page' -Status 403
                Assert-Refused (Invoke-RawSite -Port $port -HostName $b -Path $path) "$a's settings are not $b's" -Status 404
            }
        }
        if ($Kind -eq 'wordpress') {
            It 'serves the platform''s wp-config.php under no name' {
                Test-Path "$root/wp-config.php" | Should -BeTrue
                foreach ($name in $a, $b) { Assert-Refused (Invoke-RawSite -Port $port -HostName $name -Path '/wp-config.php') 'wp-config.php is never a page' -Status 403 }
            }
        }

        It 'follows no link planted in a site''s uploads, to a system file or to its neighbour''s' {
            Assert-Refused (Invoke-RawSite -Port $port -HostName $a -Path "/$uploads/passwd") 'a link to /etc/passwd'
            Assert-Refused (Invoke-RawSite -Port $port -HostName $a -Path "/$uploads/neighbour.txt") "a link to $b's upload"
        }

        It 'is not got around with escaped, doubled or dotted paths' {
            foreach ($file in 'evil.php', 'note.txt') {
                foreach ($path in @(
                        "/$($uploads.Replace('.', '%2E'))/$file"
                        "/$($uploads.Replace('/', '//'))//$file"
                        "/./$($uploads.Replace('/', '/./'))/$file"
                        "/nowhere/../$uploads/$file"
                        "/$($uploads.Replace('/', '%2F'))%2F$file"
                        "/$($uploads.Replace('/', '%2f'))/$file"
                    )) {
                    Assert-Refused (Invoke-RawSite -Port $port -HostName $b -Path $path) "$path through $b" -Status 400, 403, 404
                }
            }
        }

        It 'keeps serving each site''s page and what all sites of the platform share' {
            foreach ($uri in $a, $b) {
                (Invoke-Site -Port $port -HostName $uri).Status | Should -Be 200
                foreach ($path in $layout.Shared) { (Invoke-RawSite -Port $port -HostName $uri -Path "/$path").Status | Should -Be 200 -Because "/$path is the platform's, for every site" }
            }
        }
    }
}
