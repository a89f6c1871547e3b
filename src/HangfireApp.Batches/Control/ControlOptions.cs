namespace HangfireApp.Batches.Control;

/// <summary>Live control settings: the <c>Control</c> section.</summary>
public sealed class ControlOptions
{
    public const string Section = "Control";

    /// <summary>How often each host reads the control tables (paused worker types, server worker counts): a change
    /// made on any host applies on every host within this time.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A chunk of a paused worker type is looked at again after this long (resume also requeues it at once).</summary>
    public TimeSpan PausedRecheck { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A chunk held back by its worker type's running-chunk cap tries again after this long (plus up to half
    /// of it at random, so waiting chunks do not come back all at once).</summary>
    public TimeSpan CappedRecheck { get; set; } = TimeSpan.FromSeconds(3);
}
