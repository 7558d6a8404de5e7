/// Where an audio rendition starts: its first packet is the source's first sample at 0, with
/// no priming before it.
///
/// The AAC encoder emits one packet of priming (`initial_padding`, 1024 samples) before the
/// real audio, and a copied AAC stream carries its own (before 0 by the source's edit list).
/// An edit list can hide it from players that read one (ffmpeg, mpv, GStreamer, Chromium's
/// MediaSource in segments mode), but Chromium's native HLS appends every rendition in MSE
/// *sequence* mode, which starts each at 0 and ignores edit lists: the priming was played and
/// the sound came 21.3 ms late. So the packets before 0 are not written at all. The cost: the
/// first kept packet decodes without the overlap of the one before it, so the video's first
/// 1024 samples fade in (a 1 kHz tone from sample 0 decodes silent for 5 ms, right from 16 ms),
/// where a video usually starts quiet.
enum AudioStart {
    /// Whether the packet at `pts` lasting `duration` (samples on the output clock, 0 = the
    /// first picture) is left out: it ends at or before 0. The encoder's priming packet is
    /// wholly before 0. A copied stream not aligned on its video's start keeps the packet that
    /// straddles 0, and the writer's edit list trims its part before 0: dropping it would start
    /// the audio after 0, which the muxer shifts back to 0 (it starts every fragmented track at
    /// 0), putting the sound early in every player; kept, only players that ignore edit lists
    /// play that part (less than one frame).
    static func isBeforeStart(pts: Int64, duration: Int64) -> Bool {
        pts + max(0, duration) <= 0
    }
}
