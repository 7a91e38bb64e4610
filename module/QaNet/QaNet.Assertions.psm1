# Pester assertions for QaNet policies: Should -BeReachable / Should -BeBlocked.
# Registered only when Pester is loaded (QaNet does not depend on Pester); import Pester
# before QaNet. Without -Live the engine decides; with -Live a real probe in the lab does,
# and the message names the engine's deciding rule either way.

function Test-QaFlowExpectation {
    param($ActualValue, [bool] $Expected, [bool] $Negate, [string] $To, [int] $Port, [string] $Protocol,
        [switch] $Live, [string] $Prefix, $Policy, [string] $Because)

    if ($Negate) { $Expected = -not $Expected }
    $from = [string] $ActualValue
    $proto = [QaNet.Core.Model.QaProtocol] $(if ($Protocol) { $Protocol } else { 'Tcp' })
    $policy = if ($Policy) { $Policy } else { Get-QaPolicy }
    if (-not $policy) { throw 'There is no current QaNet policy: Import-QaPolicy first, or pass -Policy.' }
    $verb = if ($Expected) { 'reach' } else { 'be blocked from' }
    $what = "$from to $verb $To on $Port/$($proto.ToString().ToLowerInvariant())"
    $why = if ($Because) { " because $Because" } else { '' }
    $engine = [QaNet.Core.Engine.QaReachability]::Create($policy, [DateTimeOffset]::UtcNow)

    if (-not $Live) {
        $results = $engine.Test($from, $To, $Port, $proto)
        $bad = @($results | Where-Object { $_.Allowed -ne $Expected })
        if ($bad.Count -eq 0) { return [pscustomobject]@{ Succeeded = $true; FailureMessage = $null } }
        $r = $bad[0]
        return [pscustomobject]@{
            Succeeded      = $false
            FailureMessage = "Expected $what$why, but the policy $(if ($r.Allowed) { 'allows' } else { 'denies' }) it: decided by $($r.DecidedBy). $($r.Reason)"
        }
    }

    # The lab is found as every -Live cmdlet finds it: -Prefix, else this session's lab, else the only one running.
    $lab = @{}
    if ($Prefix) { $lab.Lab = $Prefix }
    $results = @(Test-QaReachability -Policy $policy -From $from -To $To -Port $Port -Protocol $proto -Live @lab -ErrorAction Stop)
    $where = if ($Prefix) { "in lab $Prefix" } else { 'in the lab' }
    $bad = @($results | Where-Object { $_.Observed -ne $Expected })
    if ($bad.Count -eq 0) { return [pscustomobject]@{ Succeeded = $true; FailureMessage = $null } }
    $r = $bad[0]
    [pscustomobject]@{
        Succeeded      = $false
        FailureMessage = "Expected $what$why, but $where the probe to $($r.DestinationAddress) saw '$($r.ObservedDetail)'; the policy $(if ($r.Allowed) { 'allows' } else { 'denies' }) it: decided by $($r.DecidedBy)."
    }
}

function Should-BeReachable {
    param($ActualValue, [switch] $Negate, [string] $To, [int] $Port, [string] $Protocol, [switch] $Live, [string] $Prefix, $Policy, [string] $Because, $CallerSessionState)
    Test-QaFlowExpectation -ActualValue $ActualValue -Expected $true -Negate $Negate -To $To -Port $Port -Protocol $Protocol -Live:$Live -Prefix $Prefix -Policy $Policy -Because $Because
}

function Should-BeBlocked {
    param($ActualValue, [switch] $Negate, [string] $To, [int] $Port, [string] $Protocol, [switch] $Live, [string] $Prefix, $Policy, [string] $Because, $CallerSessionState)
    Test-QaFlowExpectation -ActualValue $ActualValue -Expected $false -Negate $Negate -To $To -Port $Port -Protocol $Protocol -Live:$Live -Prefix $Prefix -Policy $Policy -Because $Because
}

if (Get-Command -Name Add-ShouldOperator -ErrorAction Ignore) {
    $known = @(Get-ShouldOperator | ForEach-Object Name)
    if ($known -notcontains 'BeReachable') {
        Add-ShouldOperator -Name BeReachable -Test ${function:Should-BeReachable} -InternalName 'Should-BeReachable'
    }
    if ($known -notcontains 'BeBlocked') {
        Add-ShouldOperator -Name BeBlocked -Test ${function:Should-BeBlocked} -InternalName 'Should-BeBlocked'
    }
}

Export-ModuleMember -Function @()
