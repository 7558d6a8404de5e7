// CFFmpeg: the FFmpeg headers Kinora uses, plus static inline wrappers for what Swift cannot
// import (function-like macros, compound literals, va_list formatting). Written against
// Debian 12's FFmpeg 5.1 (libavformat 59, libavcodec 59, libswscale 6, libavutil 57).
#ifndef KINORA_CFFMPEG_SHIM_H
#define KINORA_CFFMPEG_SHIM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <libavformat/avformat.h>
#include <libavformat/avio.h>
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/channel_layout.h>
#include <libavutil/display.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>

// MARK: Errors

/// AVERROR(e): a POSIX errno as an FFmpeg error code.
static inline int kn_averror(int posix_error) { return AVERROR(posix_error); }
static inline int kn_averror_eof(void) { return AVERROR_EOF; }
static inline int kn_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int kn_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int kn_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
static inline int kn_averror_demuxer_not_found(void) { return AVERROR_DEMUXER_NOT_FOUND; }
static inline int kn_averror_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }
static inline int kn_averror_patch_welcome(void) { return AVERROR_PATCHWELCOME; }

/// av_err2str without its compound literal: writes the message into `buffer`.
static inline const char *kn_err2str(int errnum, char *buffer, size_t size) {
    if (buffer == NULL || size == 0) return "";
    if (av_strerror(errnum, buffer, size) < 0) {
        snprintf(buffer, size, "error %d", errnum);
    }
    return buffer;
}

// MARK: Time

static inline int64_t kn_nopts(void) { return AV_NOPTS_VALUE; }
static inline AVRational kn_time_base_q(void) { return AV_TIME_BASE_Q; }
static inline int64_t kn_time_base(void) { return AV_TIME_BASE; }

// MARK: Dispositions, flags and probing constants

static inline int kn_disposition_default(void) { return AV_DISPOSITION_DEFAULT; }
static inline int kn_disposition_attached_pic(void) { return AV_DISPOSITION_ATTACHED_PIC; }
static inline int kn_probe_score_max(void) { return AVPROBE_SCORE_MAX; }
static inline int kn_probe_padding_size(void) { return AVPROBE_PADDING_SIZE; }
static inline int kn_input_buffer_padding_size(void) { return AV_INPUT_BUFFER_PADDING_SIZE; }
static inline int kn_avio_flag_read(void) { return AVIO_FLAG_READ; }
static inline int kn_profile_unknown(void) { return FF_PROFILE_UNKNOWN; }
static inline int kn_level_unknown(void) { return FF_LEVEL_UNKNOWN; }
static inline int kn_avio_flag_write(void) { return AVIO_FLAG_WRITE; }
static inline int kn_buffersrc_flag_keep_ref(void) { return AV_BUFFERSRC_FLAG_KEEP_REF; }

// MARK: Channel layouts (the AV_CHANNEL_LAYOUT_* initialisers are compound literals)

static inline AVChannelLayout kn_channel_layout_mono(void) {
    AVChannelLayout layout = AV_CHANNEL_LAYOUT_MONO;
    return layout;
}
static inline AVChannelLayout kn_channel_layout_stereo(void) {
    AVChannelLayout layout = AV_CHANNEL_LAYOUT_STEREO;
    return layout;
}
static inline AVChannelLayout kn_channel_layout_5point1(void) {
    AVChannelLayout layout = AV_CHANNEL_LAYOUT_5POINT1;
    return layout;
}
/// The layout's description ("stereo", "5.1(side)", "2 channels"); empty on failure.
static inline const char *kn_channel_layout_describe(const AVChannelLayout *layout, char *buffer, size_t size) {
    if (buffer == NULL || size == 0) return "";
    buffer[0] = 0;
    if (layout == NULL || av_channel_layout_describe(layout, buffer, size) < 0) buffer[0] = 0;
    return buffer;
}

// MARK: AVFrame plane access (data/linesize arrive in Swift as 8-element tuples)

static inline uint8_t *kn_frame_data(const AVFrame *frame, int plane) {
    if (frame == NULL || plane < 0 || plane >= AV_NUM_DATA_POINTERS) return NULL;
    return frame->data[plane];
}
static inline int kn_frame_linesize(const AVFrame *frame, int plane) {
    if (frame == NULL || plane < 0 || plane >= AV_NUM_DATA_POINTERS) return 0;
    return frame->linesize[plane];
}
static inline uint8_t *const *kn_frame_data_planes(const AVFrame *frame) {
    return frame == NULL ? NULL : (uint8_t *const *)frame->data;
}
static inline const int *kn_frame_linesizes(const AVFrame *frame) {
    return frame == NULL ? NULL : frame->linesize;
}

// MARK: Rotation

/// The display matrix's rotation (degrees counterclockwise, as av_display_rotation_get),
/// or NAN when the stream carries no display matrix. FFmpeg 5.1 keeps it in stream side data.
static inline double kn_stream_display_rotation(const AVStream *stream) {
    if (stream == NULL) return NAN;
    size_t size = 0;
    const uint8_t *data = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (data == NULL || size < 9 * sizeof(int32_t)) return NAN;
    return av_display_rotation_get((const int32_t *)data);
}

// MARK: Index

/// The furthest byte any index entry of the stream refers to (pos + size), or -1 without an
/// index. A demuxer whose index (MP4 moov, Matroska cues) points past the end of the file was
/// given a truncated file. AVIndexEntry.size is a bitfield, hence the wrapper.
static inline int64_t kn_stream_index_end(const AVStream *stream) {
    if (stream == NULL) return -1;
    int count = avformat_index_get_entries_count(stream);
    int64_t end = -1;
    for (int i = 0; i < count; i++) {
        const AVIndexEntry *entry = avformat_index_get_entry((AVStream *)stream, i);
        if (entry == NULL || entry->pos < 0) continue;
        int64_t entry_end = entry->pos + (int64_t)entry->size;
        if (entry_end > end) end = entry_end;
    }
    return end;
}

// MARK: Logging

/// Formats one av_log call into `line` (av_log_format_line2 takes the va_list Swift receives).
static inline int kn_log_format_line(void *avcl, int level, const char *fmt, va_list vl,
                                     char *line, int line_size, int *print_prefix) {
    return av_log_format_line2(avcl, level, fmt, vl, line, line_size, print_prefix);
}

#endif
