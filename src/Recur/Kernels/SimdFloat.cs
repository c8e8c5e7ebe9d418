using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// A SIMD vector of floats, so that an element-wise algorithm (see <see cref="FastMath"/>) is
/// written once and compiled for each width. Implementations wrap one hardware vector; every
/// member is a single intrinsic that the JIT inlines, so the generic code compiles to the same
/// instructions as code written against <see cref="Vector512{T}"/> directly.
/// </summary>
internal unsafe interface ISimdFloat<TSelf> where TSelf : struct, ISimdFloat<TSelf>
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    /// <summary>Whether the hardware runs this width natively.</summary>
    static abstract bool IsAccelerated { get; }

    static abstract TSelf Load(float* p);
    static abstract void Store(TSelf v, float* p);
    static abstract TSelf Create(float x);

    static abstract TSelf operator +(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a, TSelf b);
    static abstract TSelf operator *(TSelf a, TSelf b);
    static abstract TSelf operator /(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a);

    /// <summary>a·b + c with one rounding.</summary>
    static abstract TSelf FusedMultiplyAdd(TSelf a, TSelf b, TSelf c);
    static abstract TSelf Abs(TSelf a);

    /// <summary>Clamps to [lo, hi]; NaN lanes come out unspecified (callers restore NaN).</summary>
    static abstract TSelf Clamp(TSelf a, TSelf lo, TSelf hi);

    /// <summary>Rounds to the nearest integer, ties to even.</summary>
    static abstract TSelf Round(TSelf a);

    /// <summary><c>a · 2^n</c> for integral n in [−150, 128], as a product of two normal powers of two.</summary>
    static abstract TSelf ScaleByPowerOfTwo(TSelf a, TSelf n);

    /// <summary>All-ones lanes where a &lt; b.</summary>
    static abstract TSelf LessThan(TSelf a, TSelf b);

    /// <summary>All-ones lanes where a is NaN.</summary>
    static abstract TSelf IsNaN(TSelf a);

    /// <summary>|a| with the sign bit of <paramref name="sign"/>.</summary>
    static abstract TSelf CopySign(TSelf a, TSelf sign);

    /// <summary>Per lane: mask ? a : b.</summary>
    static abstract TSelf Select(TSelf mask, TSelf a, TSelf b);
}

/// <summary><see cref="ISimdFloat{TSelf}"/> over <see cref="Vector512{T}"/>.</summary>
internal readonly unsafe struct SimdFloat512(Vector512<float> v) : ISimdFloat<SimdFloat512>
{
    private readonly Vector512<float> _v = v;

    public static int Count => Vector512<float>.Count;
    public static bool IsAccelerated => Vector512.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat512 Load(float* p) => new(Vector512.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(SimdFloat512 v, float* p) => v._v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat512 Create(float x) => new(Vector512.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat512 operator +(SimdFloat512 a, SimdFloat512 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat512 operator -(SimdFloat512 a, SimdFloat512 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat512 operator *(SimdFloat512 a, SimdFloat512 b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat512 operator /(SimdFloat512 a, SimdFloat512 b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat512 operator -(SimdFloat512 a) => new(-a._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat512 FusedMultiplyAdd(SimdFloat512 a, SimdFloat512 b, SimdFloat512 c) => new(Vector512.FusedMultiplyAdd(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat512 Abs(SimdFloat512 a) => new(Vector512.Abs(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat512 Clamp(SimdFloat512 a, SimdFloat512 lo, SimdFloat512 hi) => new(Vector512.ClampNative(a._v, lo._v, hi._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat512 Round(SimdFloat512 a) => new(Vector512.Round(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat512 LessThan(SimdFloat512 a, SimdFloat512 b) => new(Vector512.LessThan(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat512 IsNaN(SimdFloat512 a) => new(Vector512.IsNaN(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat512 CopySign(SimdFloat512 a, SimdFloat512 sign) => new(Vector512.CopySign(a._v, sign._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat512 Select(SimdFloat512 mask, SimdFloat512 a, SimdFloat512 b) => new(Vector512.ConditionalSelect(mask._v, a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat512 ScaleByPowerOfTwo(SimdFloat512 a, SimdFloat512 n)
    {
        var ni = Vector512.ConvertToInt32Native(n._v); // n is integral and in range
        var half = Vector512.ShiftRightArithmetic(ni, 1);
        var s1 = Vector512.ShiftLeft(half + Vector512.Create(127), 23).AsSingle();
        var s2 = Vector512.ShiftLeft(ni - half + Vector512.Create(127), 23).AsSingle();
        return new(a._v * s1 * s2);
    }
}

/// <summary><see cref="ISimdFloat{TSelf}"/> over <see cref="Vector256{T}"/>.</summary>
internal readonly unsafe struct SimdFloat256(Vector256<float> v) : ISimdFloat<SimdFloat256>
{
    private readonly Vector256<float> _v = v;

    public static int Count => Vector256<float>.Count;
    public static bool IsAccelerated => Vector256.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat256 Load(float* p) => new(Vector256.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(SimdFloat256 v, float* p) => v._v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat256 Create(float x) => new(Vector256.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat256 operator +(SimdFloat256 a, SimdFloat256 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat256 operator -(SimdFloat256 a, SimdFloat256 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat256 operator *(SimdFloat256 a, SimdFloat256 b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat256 operator /(SimdFloat256 a, SimdFloat256 b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat256 operator -(SimdFloat256 a) => new(-a._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat256 FusedMultiplyAdd(SimdFloat256 a, SimdFloat256 b, SimdFloat256 c) => new(Vector256.FusedMultiplyAdd(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat256 Abs(SimdFloat256 a) => new(Vector256.Abs(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat256 Clamp(SimdFloat256 a, SimdFloat256 lo, SimdFloat256 hi) => new(Vector256.ClampNative(a._v, lo._v, hi._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat256 Round(SimdFloat256 a) => new(Vector256.Round(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat256 LessThan(SimdFloat256 a, SimdFloat256 b) => new(Vector256.LessThan(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat256 IsNaN(SimdFloat256 a) => new(Vector256.IsNaN(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat256 CopySign(SimdFloat256 a, SimdFloat256 sign) => new(Vector256.CopySign(a._v, sign._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdFloat256 Select(SimdFloat256 mask, SimdFloat256 a, SimdFloat256 b) => new(Vector256.ConditionalSelect(mask._v, a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdFloat256 ScaleByPowerOfTwo(SimdFloat256 a, SimdFloat256 n)
    {
        var ni = Vector256.ConvertToInt32Native(n._v); // n is integral and in range
        var half = Vector256.ShiftRightArithmetic(ni, 1);
        var s1 = Vector256.ShiftLeft(half + Vector256.Create(127), 23).AsSingle();
        var s2 = Vector256.ShiftLeft(ni - half + Vector256.Create(127), 23).AsSingle();
        return new(a._v * s1 * s2);
    }
}
