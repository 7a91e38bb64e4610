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

    private readonly List<(int Line, int Column, QaValidationError Error)> items = new();

    public bool Any => items.Count > 0;

    public string Location(int line, int column) =>
        string.Create(CultureInfo.InvariantCulture, $"{source}:{line}:{column}");

    public void Add(int line, int column, QaValidationError error) => items.Add((line, column, error.At(Location(line, column))));

    public void Add(YamlNode at, QaValidationError error) => Add(at.Line, at.Column, error);

    public void Add(YamlNode at, string id, string path, string message, string fix) =>
        Add(at, new QaValidationError(id, path, path, message, fix));

    /// <summary>All errors in file order, whatever order the file was read in.</summary>
    public QaValidationException ToException() =>
        new(items.OrderBy(e => e.Line).ThenBy(e => e.Column).Select(e => e.Error).ToList());
}
