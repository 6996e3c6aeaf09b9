<#
.SYNOPSIS
    Builds CudaNet and runs its tests: the README's steps, for Windows and PowerShell users.
.DESCRIPTION
    Restores, builds Release and runs `dotnet test -c Release`. Neither a CUDA SDK nor clang is needed for
    that: the PTX the CUDA backend loads is committed under src/Kernels/ and embedded (DESIGN.md §5).
    -Ptx first regenerates that PTX from kernels.cu with clang 19, with the flags of tools/generate-ptx.sh, so the
    files are byte-identical to the ones the Linux script writes (the freshness test compares them).
    -Nvcc compiles kernels.cu with nvcc into a temporary folder, as a check that the nvcc path still compiles.
.PARAMETER Ptx
    Regenerate src/Kernels/kernels.sm_75.ptx and kernels.sm_80.ptx with clang 19 before building.
.PARAMETER Nvcc
    Compile kernels.cu with nvcc (sm_75 and sm_80) when nvcc is on PATH; nvcc needs its host compiler too
    (on Windows, run from a Developer PowerShell so that cl.exe is found).
.PARAMETER Clang
    The clang 19 executable for -Ptx. Default: clang-19 on PATH, else clang on PATH if it is version 19
    (the LLVM installer for Windows names it clang.exe).
.EXAMPLE
    ./build.ps1
.EXAMPLE
    ./build.ps1 -Ptx -Nvcc
#>
[CmdletBinding()]
param(
    [switch]$Ptx,
    [switch]$Nvcc,
    [string]$Clang
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$architectures = @('sm_75', 'sm_80')

function Invoke-Native([string]$Program, [string[]]$Arguments) {
    Write-Host "> $Program $($Arguments -join ' ')"
    & $Program @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Program exited with code $LASTEXITCODE" }
}

function Find-Clang19 {
    if ($Clang) { return $Clang }
    $versioned = Get-Command 'clang-19' -ErrorAction SilentlyContinue
    if ($versioned) { return $versioned.Source }
    $plain = Get-Command 'clang' -ErrorAction SilentlyContinue
    if ($plain -and ((& $plain.Source --version) -join "`n") -match 'clang version 19\.') { return $plain.Source }
    throw 'clang 19 not found: install LLVM 19 (https://github.com/llvm/llvm-project/releases) or pass -Clang <path>.'
}

# The same compiler invocation and clean-up as tools/generate-ptx.sh: a relative source path, absolute paths of
# the checkout stripped, LF line endings (clang may write CRLF on Windows), UTF-8 without a byte-order mark.
function Update-Ptx {
    $compiler = Find-Clang19
    $rootPatterns = @("$root\", "$($root.Replace('\', '/'))/")
    foreach ($arch in $architectures) {
        $target = Join-Path $root "src/Kernels/kernels.$arch.ptx"
        $temporary = "$target.tmp"
        Invoke-Native $compiler @('-x', 'cuda', '--cuda-device-only', '-nocudainc', '-nocudalib', '-O3',
            '-Xclang', '-target-feature', '-Xclang', '+ptx70', "--cuda-gpu-arch=$arch", '-Wall', '-Werror',
            '-S', '-o', $temporary, 'kernels.cu')
        $text = [System.IO.File]::ReadAllText($temporary).Replace("`r`n", "`n")
        foreach ($pattern in $rootPatterns) { $text = $text.Replace($pattern, '') }
        [System.IO.File]::WriteAllText($target, $text, [System.Text.UTF8Encoding]::new($false))
        Remove-Item $temporary
        Write-Host "wrote $target"
    }
}

function Test-NvccCompiles {
    $nvcc = Get-Command 'nvcc' -ErrorAction SilentlyContinue
    if (-not $nvcc) {
        Write-Warning 'nvcc is not on PATH: skipping the nvcc compile check of kernels.cu.'
        return
    }
    $output = Join-Path ([System.IO.Path]::GetTempPath()) "cudanet-nvcc-$([System.Guid]::NewGuid().ToString('N'))"
    New-Item -ItemType Directory -Path $output | Out-Null
    try {
        foreach ($arch in $architectures) {
            $ptxFile = Join-Path $output "kernels.$arch.ptx"
            Invoke-Native $nvcc.Source @('-ptx', "-arch=$arch", '-o', $ptxFile, 'kernels.cu')
        }
        Write-Host 'nvcc compiles kernels.cu for sm_75 and sm_80.'
    }
    finally {
        Remove-Item -Recurse -Force $output
    }
}

Push-Location $root
try {
    if ($Ptx) { Update-Ptx }
    if ($Nvcc) { Test-NvccCompiles }
    Invoke-Native 'dotnet' @('restore', 'CudaNet.sln')
    Invoke-Native 'dotnet' @('build', 'CudaNet.sln', '-c', 'Release', '--no-restore')
    Invoke-Native 'dotnet' @('test', 'CudaNet.sln', '-c', 'Release', '--no-build')
}
finally {
    Pop-Location
}
