namespace QaNet.Policy.Yaml;

/// <summary>
/// A parsed YAML node that remembers where it started (1-based line and column), so every
/// error about the policy can point at the file position that caused it.
/// </summary>
internal abstract class YamlNode
{
    protected YamlNode(int line, int column)
    {
        Line = line;
        Column = column;
    }

    public int Line { get; }

    public int Column { get; }

    /// <summary>How error messages name the node's kind ("a list", "a mapping", "a string").</summary>
    public abstract string KindName { get; }
}

internal sealed class YamlScalar : YamlNode
{
    public YamlScalar(string value, bool isPlain, int line, int column)
        : base(line, column)
    {
        Value = value;
        IsPlain = isPlain;
    }

    public string Value { get; }

    /// <summary>Unquoted: only then can the text mean null (YAML core schema).</summary>
    public bool IsPlain { get; }

    /// <summary><c>key:</c>, <c>key: ~</c>, <c>key: null</c> — no value at all.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string KindName => IsNull ? "nothing (null)" : "a single value";
}

internal sealed class YamlSequence : YamlNode
{
    public YamlSequence(int line, int column)
        : base(line, column)
    {
    }

    public List<YamlNode> Items { get; } = new();

    public override string KindName => "a list";
}

internal sealed class YamlMapping : YamlNode
{
    public YamlMapping(int line, int column)
        : base(line, column)
    {
    }

    /// <summary>Entries in file order; keys are unique (duplicates are reported and dropped).</summary>
    public List<KeyValuePair<YamlScalar, YamlNode>> Entries { get; } = new();

    public override string KindName => "a mapping";
}
