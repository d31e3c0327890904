namespace Aegir.Core.Contexts;

/// <summary>
/// Marks a class that implements one service type and has <c>public static ServiceTypeInfo Info</c>. The catalogue
/// finds every such class, so adding a service type is adding one folder with its class (and its templates).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ServiceTypeAttribute : Attribute;
