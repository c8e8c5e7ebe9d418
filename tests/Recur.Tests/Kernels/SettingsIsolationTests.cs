using System.Reflection;
using Recur.Kernels;

namespace Recur.Tests.Kernels;

/// <summary>
/// Tests run in parallel, and the kernel settings (thread count, GEMM kernel) are process-wide:
/// a test that changes them must belong to <see cref="KernelSettingsCollection"/>, which runs
/// alone. This test reads the IL of every method of the test assembly (lambdas and local
/// functions included, through their declaring test class) for calls that change a setting.
/// </summary>
public class SettingsIsolationTests
{
    private static readonly MethodBase[] Setters =
    {
        typeof(RecurSettings).GetProperty(nameof(RecurSettings.Threads))!.SetMethod!,
        typeof(KernelSettings).GetProperty(nameof(KernelSettings.Threads))!.SetMethod!,
        typeof(KernelSettings).GetProperty(nameof(KernelSettings.GemmKernel))!.SetMethod!,
    };

    [Fact]
    public void Every_test_that_changes_a_kernel_setting_runs_in_the_serialized_collection()
    {
        var offenders = new List<string>();
        foreach (var type in typeof(SettingsIsolationTests).Assembly.GetTypes())
        {
            var owner = Outermost(type);
            if (owner == typeof(KernelScope) || InCollection(owner)) continue;
            const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
                if (Calls(method).FirstOrDefault(IsSetter) is { } setter)
                    offenders.Add($"{owner.Name} ({method.Name}) calls {setter.DeclaringType!.Name}.{setter.Name}");
        }
        Assert.True(offenders.Count == 0,
            $"outside [Collection(KernelSettingsCollection.Name)]: {string.Join("; ", offenders)}");
    }

    [Fact]
    public void The_scan_sees_the_setters_used_by_a_known_caller()
    {
        // KernelScope's constructor sets both settings: the scan must find them there.
        var ctor = typeof(KernelScope).GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance).Single();
        Assert.Equal(2, Calls(ctor).Count(IsSetter));
        Assert.True(InCollection(typeof(Recur.Tests.Layers.Recurrent.WorkSplitTests)));
    }

    private static bool IsSetter(MethodBase m) => Setters.Contains(m) || m.DeclaringType == typeof(KernelScope) && m.Name == nameof(KernelScope.Use);

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer) type = outer;
        return type;
    }

    private static bool InCollection(Type type)
        => type.GetCustomAttributesData().Any(a => a.AttributeType == typeof(CollectionAttribute)
            && a.ConstructorArguments.Count == 1 && a.ConstructorArguments[0].Value as string == KernelSettingsCollection.Name);

    /// <summary>The methods a method's IL calls (call, callvirt, newobj and ldftn operands).</summary>
    private static IEnumerable<MethodBase> Calls(MethodBase method)
    {
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (InvalidOperationException) { il = null; }
        if (il is null) yield break;
        var typeArgs = method.DeclaringType!.IsGenericType ? method.DeclaringType.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        // Every byte that could start one of these instructions is tried; a byte inside another
        // operand rarely forms a valid method token, and one that does only adds a method.
        for (int i = 0; i + 4 < il.Length; i++)
        {
            int operand = il[i] is 0x28 or 0x6F or 0x73 ? i + 1 : il[i] == 0xFE && il[i + 1] == 0x06 && i + 5 < il.Length ? i + 2 : -1;
            if (operand < 0) continue;
            int token = BitConverter.ToInt32(il, operand);
            if ((token >> 24) is not (0x06 or 0x0A or 0x2B)) continue; // MethodDef, MemberRef, MethodSpec
            MethodBase? target;
            try { target = method.Module.ResolveMethod(token, typeArgs, methodArgs); }
            catch (Exception e) when (e is ArgumentException or BadImageFormatException) { continue; }
            if (target is not null) yield return target;
        }
    }
}
