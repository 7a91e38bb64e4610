using System.Numerics;

namespace QaNet.Core.Engine;

/// <summary>
/// The distinct bitsets of one dimension ("equivalence classes"): row <c>c</c> has bit
/// <c>i</c> set when slot <c>i</c> (a rule's target group, in precedence order) covers the
/// values of class <c>c</c>. Class 0 is always the empty row.
/// </summary>
internal sealed class BitRows
{
    private readonly Dictionary<ulong, int> byHash = new();
    private readonly List<int> chain = new();
    private ulong[] rows;

    public BitRows(int bits)
    {
        Bits = bits;
        Words = Math.Max(1, (bits + 63) >> 6);
        rows = new ulong[Words * 16];
        Intern(new ulong[Words], 0);
    }

    public int Bits { get; }

    public int Words { get; }

    public int Count { get; private set; }

    public ulong[] Rows => rows;

    public ReadOnlySpan<ulong> Row(int cls) => rows.AsSpan(cls * Words, Words);

    public bool Has(int cls, int bit) => (rows[(cls * Words) + (bit >> 6)] & (1UL << bit)) != 0;

    /// <summary>The class of <paramref name="row"/>, adding it when new. <paramref name="hash"/> must be a function of the row.</summary>
    public int Intern(ReadOnlySpan<ulong> row, ulong hash)
    {
        if (byHash.TryGetValue(hash, out var head))
        {
            for (var c = head; c >= 0; c = chain[c])
            {
                if (Row(c).SequenceEqual(row))
                {
                    return c;
                }
            }
        }

        var cls = Count++;
        if ((cls + 1) * Words > rows.Length)
        {
            Array.Resize(ref rows, rows.Length * 2);
        }

        row.CopyTo(rows.AsSpan(cls * Words, Words));

        chain.Add(byHash.TryGetValue(hash, out var h) ? h : -1);
        byHash[hash] = cls;
        return cls;
    }

    /// <summary>Frees the lookup structures once building is done.</summary>
    public void Seal()
    {
        byHash.Clear();
        byHash.TrimExcess();
        chain.Clear();
        chain.TrimExcess();
        Array.Resize(ref rows, Count * Words);
    }

    /// <summary>Every class whose row has the bit set, per bit: the inverse index analysis walks.</summary>
    public List<int>[] ClassesPerBit()
    {
        var lists = new List<int>[Bits];
        for (var i = 0; i < Bits; i++)
        {
            lists[i] = new List<int>();
        }

        for (var c = 1; c < Count; c++)
        {
            var row = Row(c);
            for (var w = 0; w < row.Length; w++)
            {
                var word = row[w];
                while (word != 0)
                {
                    lists[(w << 6) + BitOperations.TrailingZeroCount(word)].Add(c);
                    word &= word - 1;
                }
            }
        }

        return lists;
    }
}
