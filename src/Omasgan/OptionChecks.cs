namespace Omasgan;

/// <summary>An option outside its allowed range; the message names the option and the range.</summary>
public sealed class InvalidOptionException(string option, string message) : ArgumentException(message)
{
    public string Option { get; } = option;
}

/// <summary>Range checks whose messages name the option and its allowed range.</summary>
internal static class OptionChecks
{
    public static void InRange(long value, long min, long max, string name)
    {
        if (value < min || value > max)
            throw new InvalidOptionException(name, $"{name} must be in [{min}, {max}]; got {value}.");
    }

    public static void InRange(double value, double min, double max, string name)
    {
        if (double.IsNaN(value) || value < min || value > max)
            throw new InvalidOptionException(name, $"{name} must be in [{min}, {max}]; got {value}.");
    }

    /// <summary>One of the enum's named values.</summary>
    public static void Defined<T>(T value, string name) where T : struct, Enum
    {
        if (!Enum.IsDefined(value))
            throw new InvalidOptionException(name, $"{name} must be one of {string.Join(", ", Enum.GetNames<T>())}; got {value}.");
    }

    /// <summary>Strictly positive and at most <paramref name="max"/>.</summary>
    public static void Positive(double value, double max, string name)
    {
        if (double.IsNaN(value) || value <= 0 || value > max)
            throw new InvalidOptionException(name, $"{name} must be in (0, {max}]; got {value}.");
    }
}
