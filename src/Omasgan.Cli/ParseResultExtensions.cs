using System.CommandLine;

namespace Omasgan.Cli;

internal static class ParseResultExtensions
{
    /// <summary>
    /// The first of <paramref name="options"/> that the user typed, or null. Options left at their
    /// defaults have implicit results and do not count.
    /// </summary>
    public static Option? FirstTyped(this ParseResult parse, params IEnumerable<Option> options) =>
        options.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false });
}
