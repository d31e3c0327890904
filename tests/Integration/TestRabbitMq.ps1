# A private RabbitMQ node for tests (tests/hosts/rabbitmq.sh): its own folder, Erlang cookie, epmd and 127.0.0.1
# ports; the vhost 'aegir' and the user 'aegir' with a generated password. Needs root (the node runs as the rabbitmq
# user; apt-get installs rabbitmq-server when missing). Dot-sourced by IntegrationHelpers.ps1.

# Starts a node; returns its Dir, Port, Url (amqp://aegir@127.0.0.1:<port>/aegir, no password) and Credential.
# -Address: more addresses AMQP listens on (this machine's side of a test host, for workers there).
function Start-TestRabbitMq([string[]] $Address = @()) {
    if (-not (Get-Command rabbitmq-server -ErrorAction SilentlyContinue)) { Install-TestPackage rabbitmq-server }
    $dir = Join-Path ([IO.Path]::GetTempPath()) "aegir-rmq-$([guid]::NewGuid().ToString('N').Substring(0, 10))"
    $out = & bash (Join-Path $PSScriptRoot '../hosts/rabbitmq.sh') up $dir @Address 2>&1
    if ($LASTEXITCODE) { throw "the test RabbitMQ did not start: $out" }
    $port = [int](@($out)[-1])
    $password = ConvertTo-SecureString (Get-Content -Raw (Join-Path $dir 'password')) -AsPlainText -Force
    [pscustomobject]@{
        Dir = $dir; Port = $port; Url = "amqp://aegir@127.0.0.1:$port/aegir"
        Credential = [pscredential]::new('aegir', $password)
    }
}

# Stops the node (and its epmd) and removes its folder; -KeepData only stops it (a broker restart: Restart-TestRabbitMq).
function Stop-TestRabbitMq($Broker, [switch] $KeepData) {
    if (-not $Broker) { return }
    $out = & bash (Join-Path $PSScriptRoot '../hosts/rabbitmq.sh') ($KeepData ? 'stop' : 'down') $Broker.Dir 2>&1
    if ($LASTEXITCODE) { throw "the test RabbitMQ did not stop: $out" }
}

# Starts a node stopped with -KeepData again, on the same ports and data.
function Restart-TestRabbitMq($Broker) {
    $out = & bash (Join-Path $PSScriptRoot '../hosts/rabbitmq.sh') start $Broker.Dir 2>&1
    if ($LASTEXITCODE) { throw "the test RabbitMQ did not start again: $out" }
}

# Runs rabbitmqctl against the node, as its user with its environment (never against another node on this machine).
function Invoke-TestRabbitMqCtl($Broker, [string[]] $Arguments) {
    $env = @(Get-Content (Join-Path $Broker.Dir 'env'))
    & runuser -u rabbitmq -- env -i PATH=/usr/bin:/bin "HOME=$(Join-Path $Broker.Dir 'home')" @env /usr/lib/rabbitmq/bin/rabbitmqctl -q @Arguments
}

# A work folder whose $AEGIR_HOME queues on a new private node, with the server master and these platforms when
# named; returns Work and Broker (AfterAll: Stop-TestRabbitMq, then remove Work).
function Initialize-TestBrokerHome([string[]] $Platforms = @()) {
    $work = New-WorkFolder
    $env:AEGIR_HOME = Join-Path $work 'home'
    $broker = Start-TestRabbitMq
    Set-AegirQueue -Broker $broker.Url -Credential $broker.Credential
    if ($Platforms) {
        $null = New-AegirServer -Name master -HttpServiceType nginx
        foreach ($p in $Platforms) { $null = New-AegirPlatform -Name $p -Root "/var/aegir/platforms/$p" -NoVerify 3>$null }
    }
    [pscustomobject]@{ Work = $work; Broker = $broker }
}
