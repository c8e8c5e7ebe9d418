using Recur.Layers;

namespace Recur.Serialization;

/// <summary>
/// One array of a layer's Keras <c>get_weights()</c> list: what it is, its Keras shape, and the
/// conversions to and from the layer's parameters. A layer's Keras layout is the list of these
/// that <see cref="KerasImport.RegisterLayout{TLayer}"/> maps it to.
/// </summary>
/// <param name="Role">What the array is, as a message names it (e.g. <c>"Dense kernel (F, U)"</c>).</param>
/// <param name="Shape">Its shape as Keras holds it.</param>
/// <param name="Import">A Keras array of <paramref name="Shape"/> → the parameters it sets and their new values (of the parameters' shapes).</param>
/// <param name="Export">The array from the current parameters, as Keras would hold it.</param>
/// <param name="Hint">What an array of another shape says about the Keras layer (null: nothing), added to the mismatch message.</param>
public sealed record KerasArray(string Role, int[] Shape, Func<Tensor, IReadOnlyList<(Parameter Parameter, Tensor Value)>> Import,
    Func<Tensor> Export, Func<int[], string?>? Hint = null)
{
    /// <summary>An array that is the parameter as it is (same shape, same order).</summary>
    public static KerasArray Copy(string role, Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return new(role, parameter.Value.ShapeArray, a => [(parameter, a.Clone())], () => parameter.Value.Clone());
    }
}
