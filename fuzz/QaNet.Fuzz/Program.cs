using QaNet.Fuzz;
using SharpFuzz;

// dotnet QaNet.Fuzz.dll <target>            under afl-fuzz: one input per run, on stdin
// dotnet QaNet.Fuzz.dll <target> <file>...  replays inputs (a crash AFL saved) without AFL
if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: QaNet.Fuzz <{string.Join('|', FuzzTargets.All.Keys)}> [input-file...]");
    return 2;
}

if (args.Length > 1)
{
    var failed = 0;
    foreach (var file in args.Skip(1))
    {
        try
        {
            target(File.ReadAllBytes(file));
            Console.WriteLine($"ok     {file}");
        }
        catch (Exception ex)
        {
            failed++;
            Console.WriteLine($"CRASH  {file}: {ex}");
        }
    }

    return failed == 0 ? 0 : 1;
}

// Out of process: a stack overflow or an abort in the target is a crash AFL records, not the
// end of the fork server.
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target(buffer.ToArray());
});
return 0;
