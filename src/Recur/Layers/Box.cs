namespace Recur.Layers;

/// <summary>A reference holding one value: a forward cache that is a struct, a pair or possibly null.</summary>
internal sealed record Box<T>(T Value);
