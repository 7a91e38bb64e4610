# The check ./build.sh docs makes on its screenshots (tools/PngImage.psm1): the right width and
# more than a handful of colours, on PNGs made here (no chromium needed).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../tools/PngImage.psm1') -Force

    function New-TestPng([string] $Path, [int] $Width, [int] $Height, [scriptblock] $Pixel) {
        # 8-bit RGB, every scanline filter 0 (none); the CRCs are zero, which the reader does not check.
        $raw = [System.IO.MemoryStream]::new()
        for ($y = 0; $y -lt $Height; $y++) {
            $raw.WriteByte(0)
            for ($x = 0; $x -lt $Width; $x++) { $rgb = & $Pixel $x $y; $raw.Write([byte[]]$rgb, 0, 3) }
        }
        $packed = [System.IO.MemoryStream]::new()
        $z = [System.IO.Compression.ZLibStream]::new($packed, [System.IO.Compression.CompressionLevel]::Fastest, $true)
        $z.Write($raw.ToArray(), 0, [int]$raw.Length); $z.Dispose()
        function Chunk([string] $Type, [byte[]] $Data) {
            $n = $Data.Length
            # Each element parenthesised: PowerShell's comma binds tighter than -band.
            $len = [byte[]]@((($n -shr 24) -band 255), (($n -shr 16) -band 255), (($n -shr 8) -band 255), ($n -band 255))
            $len + [Text.Encoding]::ASCII.GetBytes($Type) + $Data + [byte[]]@(0, 0, 0, 0)
        }
        $ihdr = [byte[]]@(0, 0, (($Width -shr 8) -band 255), ($Width -band 255), 0, 0, (($Height -shr 8) -band 255), ($Height -band 255), 8, 2, 0, 0, 0)
        $bytes = [byte[]]@(137, 80, 78, 71, 13, 10, 26, 10) + (Chunk 'IHDR' $ihdr) + (Chunk 'IDAT' $packed.ToArray()) + (Chunk 'IEND' ([byte[]]@()))
        [System.IO.File]::WriteAllBytes($Path, [byte[]]$bytes)
        $Path
    }
}

Describe 'Assert-PngImage' {
    It 'reads the size and the distinct colours' {
        $png = New-TestPng (Join-Path $TestDrive 'grad.png') 64 4 { param($x, $y) @(($x * 4), ($y * 60), 0) }
        $info = Get-PngImageInfo -Path $png
        $info.Width | Should -Be 64
        $info.Height | Should -Be 4
        $info.Colours | Should -Be 256
    }

    It 'refuses a blank screenshot' {
        $png = New-TestPng (Join-Path $TestDrive 'blank.png') 1400 2 { param($x, $y) @(255, 255, 255) }
        { Assert-PngImage -Path $png -Width 1400 } | Should -Throw '*only 1 distinct colours*'
    }

    It 'refuses the wrong width' {
        $png = New-TestPng (Join-Path $TestDrive 'narrow.png') 800 2 { param($x, $y) @(($x -band 255), ($x -shr 8), $y) }
        { Assert-PngImage -Path $png -Width 1400 } | Should -Throw '*800 px wide, not 1400*'
    }

    It 'passes a page-like image and refuses a file that is not a PNG' {
        $png = New-TestPng (Join-Path $TestDrive 'ok.png') 1400 2 { param($x, $y) @(($x -band 255), ($x -shr 8), $y) }
        (Assert-PngImage -Path $png -Width 1400 -MinColours 200).Colours | Should -BeGreaterThan 200
        Set-Content -Path (Join-Path $TestDrive 'x.png') -Value 'not a png'
        { Assert-PngImage -Path (Join-Path $TestDrive 'x.png') -Width 1400 } | Should -Throw '*not a PNG*'
    }
}
