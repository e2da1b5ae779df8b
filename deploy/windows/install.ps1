<#
.SYNOPSIS
    Installs civitai-daemon on Windows as a service (NSSM) or a boot-time scheduled task, or removes it.

.DESCRIPTION
    Copies the built daemon (build\civitai-daemon.jar and the two jars in lib\, as `make jar` leaves
    them in a checkout) to -InstallDir. Not the Linux release tarball of `make dist`: its runtime is
    Linux's and its sqlite-jdbc jar keeps only Linux's native library; the full jar in lib\ carries
    Windows' too. The daemon goes to -InstallDir, keeps an existing config.json
    and manifest.json there (or copies the shipped ones), and registers the daemon:
      * with NSSM when nssm.exe is on PATH: a Windows service that starts at boot, restarts after a
        crash (not after a config error, exit code 78), and stops cleanly (Ctrl+C: the daemon's
        shutdown hook runs);
      * otherwise with Task Scheduler: a task that starts at boot as SYSTEM and restarts on failure
        (run-daemon.ps1 restarts the JVM when it exits with an error, waiting longer each time).
    Needs a Java 21 or newer JDK/JRE (e.g. Eclipse Temurin 21, `winget install EclipseAdoptium.Temurin.21.JDK`):
    found through -Java, JAVA_HOME, or java.exe on PATH. A self-contained runtime (jlink) must be
    built on Windows itself, so it is not offered here.
    Run from an elevated PowerShell. Not tested by the project's CI (Linux only).

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File deploy\windows\install.ps1
.EXAMPLE
    powershell -ExecutionPolicy Bypass -File deploy\windows\install.ps1 -InstallDir D:\civitai -Java "C:\Program Files\Eclipse Adoptium\jdk-21\bin\java.exe"
.EXAMPLE
    powershell -ExecutionPolicy Bypass -File deploy\windows\install.ps1 -Uninstall
#>
[CmdletBinding()]
param(
    [string]$InstallDir = (Join-Path $env:ProgramData 'civitai-daemon'),
    [string]$Source = (Resolve-Path (Join-Path $PSScriptRoot '..\..')).Path,
    [string]$Java = '',
    [string]$Name = 'civitai-daemon',
    [switch]$ForceTaskScheduler,
    [switch]$Uninstall
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ConfigErrorExit = 78   # the daemon's exit code for a bad config: restarting cannot help

function Assert-Admin {
    $me = [Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()
    if (-not $me.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
        throw 'Run this from an elevated PowerShell (Run as administrator).'
    }
}

function Find-Java {
    $candidates = @()
    if ($Java) { $candidates += $Java }
    if ($env:JAVA_HOME) { $candidates += (Join-Path $env:JAVA_HOME 'bin\java.exe') }
    $onPath = Get-Command java.exe -ErrorAction SilentlyContinue
    if ($onPath) { $candidates += $onPath.Source }
    foreach ($c in $candidates) {
        if (-not (Test-Path $c)) { continue }
        $out = (& $c -version 2>&1 | Out-String)
        if ($out -match 'version "(\d+)') {
            if ([int]$Matches[1] -ge 21) { return (Resolve-Path $c).Path }
            Write-Warning "$c is Java $($Matches[1]); civitai-daemon needs 21 or newer"
        }
    }
    throw 'No Java 21+ found. Install a JDK 21+ (e.g. winget install EclipseAdoptium.Temurin.21.JDK), then pass -Java or set JAVA_HOME.'
}

function Get-Nssm {
    if ($ForceTaskScheduler) { return $null }
    $n = Get-Command nssm.exe -ErrorAction SilentlyContinue
    if ($n) { return $n.Source } else { return $null }
}

function Remove-Registration {
    $nssm = Get-Command nssm.exe -ErrorAction SilentlyContinue
    if (Get-Service -Name $Name -ErrorAction SilentlyContinue) {
        if ($nssm) {
            & $nssm.Source stop $Name | Out-Null
            & $nssm.Source remove $Name confirm | Out-Null
        } else {
            Stop-Service -Name $Name -ErrorAction SilentlyContinue
            & sc.exe delete $Name | Out-Null
        }
        Write-Host "Removed the service $Name."
    }
    if (Get-ScheduledTask -TaskName $Name -ErrorAction SilentlyContinue) {
        Stop-ScheduledTask -TaskName $Name -ErrorAction SilentlyContinue
        Unregister-ScheduledTask -TaskName $Name -Confirm:$false
        Write-Host "Removed the scheduled task $Name."
    }
    # The task's wrapper leaves the JVM running when the task stops: end the one it recorded.
    $pidFile = Join-Path $InstallDir 'daemon.pid'
    if (Test-Path $pidFile) {
        $daemonPid = Get-Content $pidFile -ErrorAction SilentlyContinue
        if ($daemonPid) { Stop-Process -Id $daemonPid -ErrorAction SilentlyContinue }
        Remove-Item $pidFile -ErrorAction SilentlyContinue
    }
}

function Copy-Release {
    $jar = Join-Path $Source 'build\civitai-daemon.jar'
    if (-not (Test-Path $jar)) { throw "$jar not found: build it first (make jar) or pass -Source with a release folder." }
    New-Item -ItemType Directory -Force -Path (Join-Path $InstallDir 'app'), (Join-Path $InstallDir 'lib'),
        (Join-Path $InstallDir 'logs') | Out-Null
    # The jar's Class-Path names ..\lib\sqlite-jdbc-*.jar and ..\lib\minimal-json-*.jar.
    Copy-Item $jar (Join-Path $InstallDir 'app\civitai-daemon.jar') -Force
    $runtime = Get-ChildItem (Join-Path $Source 'lib') -Filter *.jar | Where-Object { $_.Name -match '^(sqlite-jdbc|minimal-json)-' }
    if (@($runtime).Count -lt 2) { throw "The runtime jars (sqlite-jdbc, minimal-json) are missing from $Source\lib: run make deps." }
    $runtime | Copy-Item -Destination (Join-Path $InstallDir 'lib') -Force
    Copy-Item (Join-Path $Source 'lib\jvm.options') (Join-Path $InstallDir 'jvm.options') -Force
    foreach ($f in 'config.json', 'manifest.json') {
        if (-not (Test-Path (Join-Path $InstallDir $f))) { Copy-Item (Join-Path $Source $f) (Join-Path $InstallDir $f) }
    }
    Copy-Item (Join-Path $PSScriptRoot 'run-daemon.ps1') (Join-Path $InstallDir 'run-daemon.ps1') -Force
}

function Register-Nssm([string]$nssm, [string]$java) {
    & $nssm install $Name $java "@jvm.options" -jar "app\civitai-daemon.jar" --config config.json | Out-Null
    & $nssm set $Name AppDirectory $InstallDir | Out-Null
    & $nssm set $Name DisplayName 'civitai-daemon (model downloads)' | Out-Null
    & $nssm set $Name Start SERVICE_AUTO_START | Out-Null
    & $nssm set $Name AppStdout (Join-Path $InstallDir 'logs\service.out') | Out-Null
    & $nssm set $Name AppStderr (Join-Path $InstallDir 'logs\service.out') | Out-Null
    & $nssm set $Name AppRotateFiles 1 | Out-Null
    & $nssm set $Name AppRotateBytes 10485760 | Out-Null
    & $nssm set $Name AppExit Default Restart | Out-Null
    & $nssm set $Name AppExit $ConfigErrorExit Exit | Out-Null
    & $nssm set $Name AppRestartDelay 10000 | Out-Null
    & $nssm set $Name AppStopMethodConsole 30000 | Out-Null   # Ctrl+C, then 30 s for the shutdown hook
    & $nssm start $Name | Out-Null
    Write-Host "Installed the service $Name (NSSM). Secrets: nssm set $Name AppEnvironmentExtra CIVITAI_API_KEY=..."
}

function Register-Task([string]$java) {
    $ps = Join-Path $env:SystemRoot 'System32\WindowsPowerShell\v1.0\powershell.exe'
    $wrapper = Join-Path $InstallDir 'run-daemon.ps1'
    $action = New-ScheduledTaskAction -Execute $ps -WorkingDirectory $InstallDir `
        -Argument "-NoProfile -NonInteractive -ExecutionPolicy Bypass -File `"$wrapper`" -Java `"$java`""
    $trigger = New-ScheduledTaskTrigger -AtStartup
    $principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Highest
    $settings = New-ScheduledTaskSettingsSet -StartWhenAvailable -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries `
        -ExecutionTimeLimit ([TimeSpan]::Zero) -RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1) `
        -MultipleInstances IgnoreNew
    Register-ScheduledTask -TaskName $Name -Action $action -Trigger $trigger -Principal $principal -Settings $settings `
        -Description 'civitai-daemon: starts at boot, restarts on failure' -Force | Out-Null
    Start-ScheduledTask -TaskName $Name
    Write-Host "Installed the scheduled task $Name (no nssm on PATH). Secrets: set them as machine environment variables"
    Write-Host "  ([Environment]::SetEnvironmentVariable('CIVITAI_API_KEY', '...', 'Machine')) or in config.json."
}

Assert-Admin
if ($Uninstall) {
    Remove-Registration
    Write-Host "Left $InstallDir in place (config.json, completed.db, logs, models). Delete it yourself if you want them gone."
    exit 0
}
$javaExe = Find-Java
Remove-Registration   # a re-install replaces the old registration
Copy-Release
$nssmExe = Get-Nssm
if ($nssmExe) { Register-Nssm $nssmExe $javaExe } else { Register-Task $javaExe }
Write-Host "Installed to $InstallDir with $javaExe. The port is written back into $InstallDir\config.json on first start;"
Write-Host "logs are in $InstallDir\logs. Remove with: install.ps1 -Uninstall"
