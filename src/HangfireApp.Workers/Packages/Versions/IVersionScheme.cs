using System.Diagnostics.CodeAnalysis;

namespace HangfireApp.Workers.Packages.Versions;

/// <summary>
/// The version ordering of one package ecosystem. Implementations are stateless and thread-safe.
/// </summary>
public interface IVersionScheme
{
    /// <summary>The OSV ecosystem name this scheme orders, e.g. <c>PyPI</c>.</summary>
    string Ecosystem { get; }

    /// <summary>
    /// Parses <paramref name="version"/>; on success <paramref name="normalized"/> is the scheme's canonical
    /// spelling (e.g. PEP 440 <c>1.0RC1</c> → <c>1.0rc1</c>), suitable for storage and equality.
    /// </summary>
    bool TryParse(string version, [NotNullWhen(true)] out string? normalized);

    /// <summary>
    /// Compares two versions by the ecosystem's precedence: negative when <paramref name="a"/> is older,
    /// zero when they are equal (e.g. <c>1.0</c> and <c>1.0.0</c> in PyPI), positive when newer.
    /// </summary>
    /// <exception cref="FormatException">Either version is not valid in this scheme.</exception>
    int Compare(string a, string b);

    /// <summary>
    /// Parses <paramref name="version"/> once into a key for <see cref="CompareKeys"/>, so a version compared many
    /// times (an advisory's range bounds, across every package scanned) is parsed once. Null exactly when
    /// <see cref="TryParse"/> is false.
    /// </summary>
    object? ParseKey(string version);

    /// <summary>Compares two keys of this scheme: always the sign <see cref="Compare"/> gives for their texts.</summary>
    int CompareKeys(object a, object b);
}
