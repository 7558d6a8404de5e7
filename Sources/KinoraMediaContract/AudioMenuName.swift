/// What a player's audio menu shows for a rendition: the track's name, with the channel
/// layout added for surround ("English (5.1)", "English (7.1)"). Shared by the transcoder,
/// which names renditions from the source's tags, and the daemon, which renames them when a
/// video's owner relabels a track, so both spell a layout the same way.
public enum AudioMenuName {
    /// "5.1" for 6 channels, "7.1" for 8; nil for stereo and layouts without a common name.
    public static func layout(channels: Int) -> String? {
        switch channels {
        case 6: "5.1"
        case 8: "7.1"
        default: nil
        }
    }

    /// `name` for a rendition of `channels` channels. A name that already says its layout
    /// (a source track titled "English (5.1)") is kept as it is, not "English (5.1) (5.1)".
    public static func make(_ name: String, channels: Int) -> String {
        guard let layout = layout(channels: channels), !name.contains(layout) else { return name }
        return "\(name) (\(layout))"
    }
}
