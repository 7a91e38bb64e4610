using System.Diagnostics.CodeAnalysis;
using System.Management.Automation;
using QaNet.Commands.Loading;
using QaNet.Commands.Session;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands.Infrastructure;

/// <summary>
/// What every QaNet cmdlet shares: the <c>-Policy</c> parameter and how a policy is found,
/// and how QaNet's errors are reported.
/// </summary>
public abstract class QaCmdlet : PSCmdlet
{
    /// <summary>
    /// The policy to work on. Each cmdlet declares it (some take it from the pipeline); when it
    /// is not given, an input object's own policy and then the session's current policy apply.
    /// </summary>
    public abstract QaPolicy? Policy { get; set; }

    /// <summary>This runspace's session: current policy, lab, command runner.</summary>
    internal static QaSession Session => QaSession.Current;

    /// <summary><c>-Policy</c>, else the current policy; with neither the whole call is invalid.</summary>
    protected QaPolicy ResolvePolicy()
    {
        var policy = Policy ?? Session.Policy;
        if (policy is null)
        {
            ThrowTerminatingError(QaErrorRecords.Create(CommandErrorIds.NoCurrentPolicy, null,
                "There is no current QaNet policy in this session.",
                "Create one with New-QaPolicy, load one with Import-QaPolicy, or pass -Policy."));
        }

        return policy!;
    }

    /// <summary>
    /// The policy an input object belongs to. Naming a different one with <c>-Policy</c> is a
    /// mistake worth reporting (per item) rather than guessing which one was meant.
    /// </summary>
    protected bool TryOwnerPolicy(QaPolicy owner, object target, out QaPolicy policy)
    {
        policy = owner;
        if (Policy is null || ReferenceEquals(Policy, owner))
        {
            return true;
        }

        WriteError(QaErrorRecords.Create(CommandErrorIds.PolicyMismatch, target,
            $"'{target}' belongs to policy '{owner.Name}', not to policy '{Policy.Name}' given with -Policy.",
            "Leave out -Policy (objects carry their policy), or pass an object of that policy."));
        return false;
    }

    /// <summary>One error record per problem (docs/policy-format.md), each with its own id and location.</summary>
    protected void WriteValidationError(QaValidationException exception, object? target)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception.Errors.Count == 0)
        {
            WriteError(QaErrorRecords.FromValidation(exception, target));
        }

        foreach (var error in exception.Errors)
        {
            WriteError(QaErrorRecords.FromValidation(error, target));
        }
    }

    /// <summary>
    /// The one flow of a change to a policy, for every Add-/Set-/Remove-/Grant-/Revoke-/Block-/New-
    /// cmdlet: <paramref name="change"/> runs first as a trial (<c>whatIf: true</c>: PolicyEditor
    /// validates everything and computes the result, keeping nothing), so a change that would be
    /// refused writes the real call's error (same id, same target) under -WhatIf and -Confirm
    /// too, and is never offered for confirmation; then one ShouldProcess (its text may use the
    /// trial's result), then the real change. False when refused, declined, or -WhatIf.
    /// </summary>
    /// <param name="target">The ShouldProcess target, from the trial's result.</param>
    /// <param name="action">The ShouldProcess action, from the trial's result.</param>
    /// <param name="change">The PolicyEditor call; its argument is whatIf.</param>
    /// <param name="errorTarget">The error record's target object.</param>
    /// <param name="result">The real change's result.</param>
    protected bool TryChange<T>(Func<T, string> target, Func<T, string> action, Func<bool, T> change, object? errorTarget,
        [MaybeNullWhen(false)] out T result)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(change);
        result = default;
        T trial;
        try
        {
            trial = change(true);
        }
        catch (QaValidationException e)
        {
            WriteValidationError(e, errorTarget);
            return false;
        }

        if (!ShouldProcess(target(trial), action(trial)))
        {
            return false;
        }

        try
        {
            result = change(false);
            return true;
        }
        catch (QaValidationException e)
        {
            WriteValidationError(e, errorTarget);
            return false;
        }
    }

    /// <summary><see cref="TryChange{T}(Func{T, string}, Func{T, string}, Func{bool, T}, object?, out T)"/> with a fixed ShouldProcess target and action.</summary>
    protected bool TryChange<T>(string target, string action, Func<bool, T> change, object? errorTarget, [MaybeNullWhen(false)] out T result) =>
        TryChange(_ => target, _ => action, change, errorTarget, out result);

    /// <summary>Whether a parameter was given, for value-type parameters whose absence means "default".</summary>
    protected bool IsBound(string parameterName) => MyInvocation.BoundParameters.ContainsKey(parameterName);

    /// <summary>
    /// Items whose name matches any pattern (all items without patterns). A name without
    /// wildcards that matches nothing is an error, as with Get-Item; a wildcard that matches
    /// nothing is just an empty result.
    /// </summary>
    protected IEnumerable<T> SelectByName<T>(IEnumerable<T> items, Func<T, string> nameOf, string[]? patterns,
        string kind, string lister)
    {
        var all = items.ToList();
        if (patterns is null || patterns.Length == 0)
        {
            return all;
        }

        var wildcards = patterns.Select(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase)).ToList();
        foreach (var literal in patterns.Where(p => !WildcardPattern.ContainsWildcardCharacters(p)))
        {
            if (!all.Exists(i => Names.Same(nameOf(i), literal)))
            {
                WriteValidationError(Core.Editing.PolicyEditor.NotFound(kind, literal, lister), literal);
            }
        }

        return all.Where(i => wildcards.Exists(w => w.IsMatch(nameOf(i))));
    }

    /// <summary>
    /// The names one ByName target of a Set-/Remove-/Revoke-/Enable-/Disable- cmdlet stands for:
    /// a literal name as given (the cmdlet's own lookup reports it when it names nothing), a
    /// wildcard pattern every name it matches, in any case; none after writing NotFound (the id a
    /// literal name that matches nothing gives) when the pattern matches nothing.
    /// </summary>
    protected IReadOnlyList<string> ExpandWildcard<T>(IEnumerable<T> items, Func<T, string> nameOf, string pattern, string kind, string lister)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (!WildcardPattern.ContainsWildcardCharacters(pattern))
        {
            return [pattern];
        }

        var wildcard = WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase);

        // A copy: the caller changes the policy while it goes through the names.
        var names = items.Select(nameOf).Where(wildcard.IsMatch).ToList();
        if (names.Count == 0)
        {
            WriteValidationError(Core.Editing.PolicyEditor.NoneMatch(kind, pattern, lister), pattern);
        }

        return names;
    }

    /// <summary>
    /// The files a path names (wildcards allowed), resolved against the PowerShell location;
    /// none after writing why (PolicyFileNotFound, NotFileSystemPath).
    /// </summary>
    protected List<string> ResolveInputFiles(string path)
    {
        try
        {
            var files = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out var provider);
            if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
            {
                WriteError(QaErrorRecords.Create(CommandErrorIds.NotFileSystemPath, path,
                    $"'{path}' is on the {provider.Name} provider, not a file.", "Give the path of a policy file."));
                return new List<string>();
            }

            return files.ToList();
        }
        catch (ItemNotFoundException e)
        {
            WriteError(QaErrorRecords.FromException(e, QaErrorIds.PolicyFileNotFound, path));
            return new List<string>();
        }
    }

    /// <summary>
    /// The Export- cmdlets' overwrite convention (as Export-Csv): an existing file is replaced,
    /// -NoClobber refuses with <paramref name="existsErrorId"/> (false), -Force also replaces a
    /// read-only one. Call right before writing, after ShouldProcess.
    /// </summary>
    protected bool MayOverwrite(FileInfo info, bool noClobber, string existsErrorId)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (info.Exists && noClobber)
        {
            WriteError(QaErrorRecords.Create(existsErrorId, info.FullName,
                $"The file '{info.FullName}' already exists.", "Choose another path, or leave out -NoClobber to replace it."));
            return false;
        }

        return true;
    }

    /// <summary>With -Force an existing read-only file is made writable before it is replaced.</summary>
    protected static void MakeWritable(FileInfo info, bool force)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (info.Exists && force && info.IsReadOnly)
        {
            info.IsReadOnly = false;
        }
    }

    /// <summary>
    /// A file to write, resolved against the PowerShell location; null after writing
    /// NotFileSystemPath, or OutputFolderNotFound when its folder does not exist (checked before
    /// ShouldProcess, so -WhatIf gives the error the real call would, and nothing is created).
    /// </summary>
    protected string? ResolveOutputFile(string path)
    {
        var file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
        if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
        {
            WriteError(QaErrorRecords.Create(CommandErrorIds.NotFileSystemPath, path,
                $"'{path}' is on the {provider.Name} provider, not a file.", "Give a file system path."));
            return null;
        }

        var folder = System.IO.Path.GetDirectoryName(file);
        if (folder is { Length: > 0 } && !Directory.Exists(folder))
        {
            WriteError(QaErrorRecords.Create(CommandErrorIds.OutputFolderNotFound, path,
                $"Cannot write '{path}': the folder '{folder}' does not exist.",
                $"Create it first (New-Item -ItemType Directory -Path '{folder}'), or give a path in an existing folder."));
            return null;
        }

        return file;
    }

    /// <summary>Loads a policy file; null after writing why (its validation errors, PolicyReadFailed).</summary>
    protected QaPolicy? LoadPolicyFile(string file)
    {
        try
        {
            return PolicyFiles.Load(file);
        }
        catch (QaValidationException e)
        {
            WriteValidationError(e, file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(QaErrorRecords.FromException(e, CommandErrorIds.PolicyReadFailed, file));
        }

        return null;
    }

    /// <summary>Whether a value matches any of the patterns (true without patterns).</summary>
    protected static bool MatchesAny(string? value, string[]? patterns) =>
        patterns is null || patterns.Length == 0 ||
        (value is not null && patterns.Any(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase).IsMatch(value)));
}
