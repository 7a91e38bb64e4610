using System.Reflection;
using System.Reflection.Emit;

namespace QaNet.Tests.Support;

/// <summary>
/// What the compiled code of a type refers to: the methods it calls (or takes as delegates), the
/// types and fields it names, and its string literals, read from the IL of its methods and
/// constructors and of every type nested in it (lambdas, local functions, async state machines).
/// </summary>
internal sealed class IlReferences
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodeByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    public HashSet<MethodBase> Methods { get; } = new();

    /// <summary>Declaring types of the methods and fields used, and the types named (typeof, new[], casts), with their type arguments.</summary>
    public HashSet<Type> Types { get; } = new();

    public HashSet<string> Strings { get; } = new(StringComparer.Ordinal);

    /// <summary>The references of <paramref name="type"/> and of the types nested in it.</summary>
    public static IlReferences Of(Type type)
    {
        var refs = new IlReferences();
        refs.Add(type);
        return refs;
    }

    private void Add(Type type)
    {
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            Read(method);
        }

        foreach (var nested in type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic))
        {
            Add(nested);
        }
    }

    private void Read(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            return;
        }

        var typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var i = 0;
        while (i < il.Length)
        {
            short value = il[i++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[i++]);
            }

            var op = OpCodeByValue[value];
            var operand = i;
            i += OperandSize(op.OperandType, il, i);
            if (op.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok or OperandType.InlineString)
            {
                Resolve(method.Module, op.OperandType, BitConverter.ToInt32(il, operand), typeArgs, methodArgs);
            }
        }
    }

    private void Resolve(Module module, OperandType kind, int token, Type[]? typeArgs, Type[]? methodArgs)
    {
        try
        {
            if (kind == OperandType.InlineString)
            {
                Strings.Add(module.ResolveString(token));
                return;
            }

            switch (module.ResolveMember(token, typeArgs, methodArgs))
            {
                case MethodBase m:
                    Methods.Add(m);
                    AddType(m.DeclaringType);
                    break;
                case FieldInfo f:
                    AddType(f.DeclaringType);
                    break;
                case Type t:
                    AddType(t);
                    break;
            }
        }
        catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException)
        {
            // A reference the runtime cannot resolve here (e.g. an open generic in another context): not one of ours.
        }
    }

    private void AddType(Type? type)
    {
        if (type is null)
        {
            return;
        }

        if (type.HasElementType)
        {
            AddType(type.GetElementType());
        }
        else if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            Types.Add(type.GetGenericTypeDefinition());
            foreach (var argument in type.GetGenericArguments())
            {
                AddType(argument);
            }
        }
        else
        {
            Types.Add(type);
        }
    }

    private static int OperandSize(OperandType kind, byte[] il, int at) => kind switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };
}
