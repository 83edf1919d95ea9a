using Omasgan.Baselines;

namespace Omasgan.Detection;

/// <summary>Every detector the project has, by name: its trainer, and loading any saved one.</summary>
public static class DetectorCatalog
{
    /// <summary>OMASGAN and the baselines.</summary>
    public static IReadOnlyList<string> Names { get; } = [OmasganDetector.DetectorName, .. BaselineDetectors.Names];

    /// <summary>The trainer of detector <paramref name="name"/> with the given settings.</summary>
    /// <exception cref="ArgumentException">an unknown name; the message lists the known ones.</exception>
    public static IDetectorTrainer Trainer(string name, OmasganOptions omasgan, BaselineOptions baselines) =>
        name == OmasganDetector.DetectorName ? new OmasganTrainer(omasgan)
        : BaselineDetectors.Names.Contains(name) ? new BaselineTrainer(name, baselines)
        : throw new ArgumentException($"Unknown detector '{name}'; use some of: {string.Join(", ", Names)}.");

    /// <summary>Loads any detector saved by <see cref="IAnomalyDetector.Save"/>.</summary>
    /// <exception cref="ModelLoadException">the folder holds no saved detector, or one that cannot be read.</exception>
    public static IAnomalyDetector Load(string directory)
    {
        if (File.Exists(Path.Combine(directory, BaselineDetectors.ManifestFileName)))
            return BaselineDetectors.Load(directory);
        return OmasganDetector.Load(directory);
    }
}
