<#
.SYNOPSIS
    Runs civitai-daemon in the foreground and starts it again after a crash; used by the scheduled
    task that install.ps1 registers when NSSM is not available.
.DESCRIPTION
    A clean exit (0) or a config error (78) ends the loop; any other exit restarts the JVM after a
    wait that doubles from 5 s to 5 min, and goes back to 5 s once a run has lasted 10 minutes.
#>
param([Parameter(Mandatory = $true)][string]$Java)

$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
$log = Join-Path $PSScriptRoot 'logs\service.out'
New-Item -ItemType Directory -Force -Path (Join-Path $PSScriptRoot 'logs') | Out-Null
$wait = 5
while ($true) {
    $started = Get-Date
    $p = Start-Process -FilePath $Java -ArgumentList '@jvm.options', '-jar', 'app\civitai-daemon.jar', '--config', 'config.json' `
        -WorkingDirectory $PSScriptRoot -NoNewWindow -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err"
    $null = $p.Handle   # without a cached handle, ExitCode reads as null after the exit
    Set-Content -Path (Join-Path $PSScriptRoot 'daemon.pid') -Value $p.Id
    $p.WaitForExit()
    $code = $p.ExitCode
    Add-Content -Path "$log.restarts" -Value "$(Get-Date -Format o) exited with $code"
    if ($code -eq 0 -or $code -eq 78) { exit $code }
    if (((Get-Date) - $started).TotalMinutes -ge 10) { $wait = 5 }
    Start-Sleep -Seconds $wait
    $wait = [Math]::Min($wait * 2, 300)
}
