#requires -Version 7.4
# Reads a PNG's size and counts its distinct colours, so ./build.sh docs can refuse a screenshot
# that came out blank (one colour) or at the wrong width. .NET has no PNG decoder on Linux
# (System.Drawing is Windows-only): the chunks are read here, the IDAT stream inflated with
# ZLibStream and the scanline filters undone, in C# because a pixel loop in script is minutes.

Set-StrictMode -Version 3.0

if (-not ('QaNet.Docs.PngImage' -as [type])) {
    Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;

namespace QaNet.Docs
{
    public static class PngImage
    {
        private static readonly byte[] Signature = { 137, 80, 78, 71, 13, 10, 26, 10 };

        /// <summary>Width, height and distinct colours (8-bit grey, grey+alpha, RGB or RGBA; not interlaced).</summary>
        public static int[] Measure(string path)
        {
            byte[] data = File.ReadAllBytes(path);
            for (int i = 0; i < Signature.Length; i++)
            {
                if (data.Length < 8 || data[i] != Signature[i]) throw new InvalidDataException(path + " is not a PNG file.");
            }

            int width = 0, height = 0, channels = 0;
            var idat = new MemoryStream();
            int at = 8;
            while (at + 8 <= data.Length)
            {
                int length = (data[at] << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3];
                string type = System.Text.Encoding.ASCII.GetString(data, at + 4, 4);
                int body = at + 8;
                if (length < 0 || body + length > data.Length) throw new InvalidDataException(path + ": a chunk runs past the end of the file.");
                if (type == "IHDR")
                {
                    width = (data[body] << 24) | (data[body + 1] << 16) | (data[body + 2] << 8) | data[body + 3];
                    height = (data[body + 4] << 24) | (data[body + 5] << 16) | (data[body + 6] << 8) | data[body + 7];
                    int depth = data[body + 8], colour = data[body + 9], interlace = data[body + 12];
                    channels = colour == 0 ? 1 : colour == 2 ? 3 : colour == 4 ? 2 : colour == 6 ? 4 : 0;
                    if (depth != 8 || channels == 0 || interlace != 0)
                        throw new InvalidDataException(path + ": only 8-bit, non-interlaced grey or RGB(A) PNGs are read (depth " + depth + ", colour type " + colour + ", interlace " + interlace + ").");
                }
                else if (type == "IDAT")
                {
                    idat.Write(data, body, length);
                }
                else if (type == "IEND")
                {
                    break;
                }

                at = body + length + 4;   // the CRC is not checked: a damaged file fails to inflate or unfilter
            }

            if (width <= 0 || height <= 0) throw new InvalidDataException(path + " has no IHDR chunk.");
            idat.Position = 0;
            int stride = width * channels;
            var pixels = new byte[(long)height * stride];
            var previous = new byte[stride];
            var line = new byte[stride];
            var colours = new HashSet<long>();
            using (var z = new ZLibStream(idat, CompressionMode.Decompress))
            {
                for (int y = 0; y < height; y++)
                {
                    int filter = z.ReadByte();
                    if (filter < 0) throw new InvalidDataException(path + ": the image data ends early.");
                    z.ReadExactly(line, 0, stride);
                    for (int x = 0; x < stride; x++)
                    {
                        int a = x >= channels ? line[x - channels] : 0, b = previous[x], c = x >= channels ? previous[x - channels] : 0;
                        int add;
                        switch (filter)
                        {
                            case 0: add = 0; break;
                            case 1: add = a; break;
                            case 2: add = b; break;
                            case 3: add = (a + b) / 2; break;
                            case 4:
                                int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                                add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                                break;
                            default: throw new InvalidDataException(path + ": unknown filter type " + filter + ".");
                        }

                        line[x] = (byte)(line[x] + add);
                    }

                    for (int x = 0; x < stride; x += channels)
                    {
                        long v = 0;
                        for (int k = 0; k < channels; k++) v = (v << 8) | line[x + k];
                        colours.Add(v);
                    }

                    var swap = previous; previous = line; line = swap;
                }
            }

            return new[] { width, height, colours.Count };
        }
    }
}
'@
}

function Get-PngImageInfo {
    # Width, Height and Colours (distinct pixel values) of a PNG file.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [string] $Path)
    $m = [QaNet.Docs.PngImage]::Measure((Resolve-Path -LiteralPath $Path).ProviderPath)
    [pscustomobject]@{ Path = $Path; Width = $m[0]; Height = $m[1]; Colours = $m[2] }
}

function Assert-PngImage {
    # Throws unless the PNG is -Width pixels wide and has more than -MinColours distinct colours
    # (a blank or failed screenshot has one or a handful); returns its info otherwise.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [int] $Width, [int] $MinColours = 32)
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) { throw "No screenshot at $Path." }
    $info = Get-PngImageInfo -Path $Path
    if ($info.Width -ne $Width) { throw "$Path is $($info.Width) px wide, not $Width." }
    if ($info.Colours -le $MinColours) { throw "$Path has only $($info.Colours) distinct colours (at most $MinColours): the page did not render." }
    $info
}

Export-ModuleMember -Function Get-PngImageInfo, Assert-PngImage
