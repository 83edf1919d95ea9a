// MSBuild task, compiled by RoslynCodeTaskFactory from Directory.Build.targets against
// netstandard2.0 (hence no spans or OperatingSystem helpers).
//
// libLibTorchSharp.so from the TorchSharp 0.107 package asks for the version GLIBCXX_3.4.32,
// which older libstdc++ builds (Debian 12: up to 3.4.30) do not define, so the dynamic loader
// refuses the library. The only symbol behind that version is std::ios_base_library_init(),
// and nothing in the library relocates against it. Marking that one version-need entry weak
// (VER_FLG_WEAK) turns the hard failure into nothing at all. The task edits the copied .so in the
// output folder, never the NuGet cache, and only when the system's libstdc++ lacks the version,
// except for a tool package (Always), which must load on whatever system installs it.
using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class WeakenGlibcxxVersion : Task
{
    const string VersionName = "GLIBCXX_3.4.32";
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    static readonly string[] LibStdCxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib64/libstdc++.so.6",
    };

    /// <summary>Folder searched (recursively) for libLibTorchSharp.so.</summary>
    [Required]
    public string Directory { get; set; } = "";

    /// <summary>
    /// Patch whatever this system's libstdc++ defines: for a tool package, which is installed on other
    /// systems than the one that packed it. The weak version need changes nothing where the version exists.
    /// </summary>
    public bool Always { get; set; }

    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory))
            return true;
        string reason = "for whichever libstdc++ loads it";
        if (!Always)
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                return true;
            string libstdcxx = Array.Find(LibStdCxxCandidates, File.Exists);
            if (libstdcxx is null || Contains(File.ReadAllBytes(libstdcxx), Encoding.ASCII.GetBytes(VersionName)))
                return true; // the system defines the version: nothing to do
            reason = $"{libstdcxx} lacks it";
        }

        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories))
        {
            try
            {
                if (Weaken(path))
                    Log.LogMessage(MessageImportance.Normal, $"Marked {VersionName} weak in {path} ({reason}).");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                Log.LogWarning($"Could not patch {path}: {e.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }

    /// <summary>Sets VER_FLG_WEAK on the GLIBCXX_3.4.32 version-need entry; true when the file changed.</summary>
    static bool Weaken(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a little-endian 64-bit ELF file");

        long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (int s = 0; s < shnum; s++)
        {
            long sh = shoff + (long)s * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed)
                continue;
            long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
            int link = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28);
            int count = (int)BitConverter.ToUInt32(elf, (int)sh + 0x2C);
            long strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + (long)link * shentsize) + 0x18);

            long need = offset;
            for (int n = 0; n < count; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    long name = strtab + BitConverter.ToUInt32(elf, (int)aux + 8);
                    if (ReadCString(elf, name) == VersionName)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        if ((flags & VerFlgWeak) != 0)
                            return false;
                        flags |= VerFlgWeak;
                        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
                        file.Position = aux + 4;
                        file.Write(BitConverter.GetBytes(flags), 0, 2);
                        return true;
                    }
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                need += BitConverter.ToUInt32(elf, (int)need + 12);
            }
        }
        return false;
    }

    static string ReadCString(byte[] data, long start)
    {
        long end = start;
        while (end < data.Length && data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, (int)start, (int)(end - start));
    }

    static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int k = 0;
            while (k < needle.Length && haystack[i + k] == needle[k]) k++;
            if (k == needle.Length) return true;
        }
        return false;
    }
}
