using System.Globalization;
using QaNet.Core.Validation;

namespace QaNet.Policy.Yaml;

/// <summary>Collects every problem found in one policy file, each located as <c>file:line:column</c>.</summary>
internal sealed class PolicyErrors
{
    private readonly string source;

    public PolicyErrors(string source)
    {
        this.source = source;
    }

    public List<QaValidationError> Items { get; } = new();

    public bool Any => Items.Count > 0;

    public string Location(int line, int column) =>
        string.Create(CultureInfo.InvariantCulture, $"{source}:{line}:{column}");

    public void Add(int line, int column, QaValidationError error) => Items.Add(error.At(Location(line, column)));

    public void Add(YamlNode at, QaValidationError error) => Add(at.Line, at.Column, error);

    public void Add(YamlNode at, string id, string path, string message, string fix) =>
        Add(at, new QaValidationError(id, path, path, message, fix));

    public QaValidationException ToException() => new(Items);
}
