/*
 * moderation-image: a JPEG into the network's input. libjpeg-turbo decodes it, already
 * scaled down by its DCT (M/8) to the smallest size still at least the input size, so a
 * 1280x720 poster for a 224x224 input decodes at a quarter of the work; a box filter (or
 * bilinear, when enlarging) brings it to the input size; then each value is normalized and
 * put where the layout wants it.
 *
 * libjpeg reports fatal errors through a callback that must not return: it longjmps back
 * here (never across the plugin boundary), and whatever was allocated is freed after.
 */
#define _POSIX_C_SOURCE 200809L

#include "ic_jpeg.h"
#include "knc_text.h"

#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h> /* before jpeglib.h, which uses FILE */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jpeglib.h>

/* A progressive JPEG can hold thousands of tiny scans that make decoding slow on purpose;
 * libjpeg-turbo's advice is to stop such files. Real ones have about ten. */
#define IC_MAX_SCANS 500
/* libjpeg's own memory (a progressive image keeps all its coefficients: 6 bytes a pixel). */
#define IC_JPEG_MEMORY ((long)512 << 20)

kn_status_t ic_check_call(const kn_call_t *call, kn_error_t *err) {
    struct timespec ts;
    if (!call) return KN_OK;
    if (call->is_cancelled && call->is_cancelled(call)) return knc_fail(err, KN_E_CANCELLED, "the call was cancelled");
    if (call->deadline_unix_ns > 0 && clock_gettime(CLOCK_REALTIME, &ts) == 0 &&
        (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec >= call->deadline_unix_ns)
        return knc_fail(err, KN_E_TIMEOUT, "the call's deadline passed");
    return KN_OK;
}

typedef struct {
    struct jpeg_error_mgr pub; /* first: libjpeg hands back a pointer to it */
    struct jpeg_progress_mgr progress;
    jmp_buf env;
    const kn_call_t *call;
    kn_error_t *err;
    kn_status_t rc;
} ic_jpeg_guard;

static void on_error(j_common_ptr cinfo) {
    ic_jpeg_guard *g = (ic_jpeg_guard *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    g->rc = knc_fail(g->err, KN_E_INVALID_ARGUMENT, "not a JPEG image libjpeg can decode: %s", text);
    longjmp(g->env, 1);
}

/* Warnings are corrupt data that libjpeg would paper over (a truncated file decodes with
 * its end grey): a damaged picture is refused rather than classified half-seen. Trace
 * messages (msg_level > 0) are ignored. */
static void on_message(j_common_ptr cinfo, int msg_level) {
    if (msg_level >= 0) return;
    ic_jpeg_guard *g = (ic_jpeg_guard *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    g->rc = knc_fail(g->err, KN_E_INVALID_ARGUMENT, "the JPEG image is damaged: %s", text);
    longjmp(g->env, 1);
}

static void on_progress(j_common_ptr cinfo) {
    ic_jpeg_guard *g = (ic_jpeg_guard *)cinfo->err;
    struct jpeg_decompress_struct *d = (struct jpeg_decompress_struct *)cinfo;
    if (d->input_scan_number > IC_MAX_SCANS) {
        g->rc = knc_fail(g->err, KN_E_INVALID_ARGUMENT, "the JPEG image has more than %d scans", IC_MAX_SCANS);
        longjmp(g->env, 1);
    }
    if ((g->rc = ic_check_call(g->call, g->err)) != KN_OK) longjmp(g->env, 1);
}

/* One output coordinate's source taps: `n` weights from index `first`. */
typedef struct {
    int first, n;
    float *w;
} ic_taps;

/* Taps for resizing `src` samples to `dst`: a box filter over the covered source span when
 * shrinking (every source pixel counts), bilinear between pixel centres when enlarging. */
static ic_taps *make_taps(int src, int dst, float **pool) {
    double ratio = (double)src / dst;
    int most = ratio > 1 ? (int)ceil(ratio) + 1 : 2;
    ic_taps *t = calloc((size_t)dst, sizeof *t);
    float *w = calloc((size_t)dst * (size_t)most, sizeof *w);
    if (!t || !w) return free(t), free(w), NULL;
    *pool = w;
    for (int o = 0; o < dst; o++, w += most) {
        t[o].w = w;
        if (ratio > 1) {
            double a = o * ratio, b = (o + 1) * ratio;
            int i0 = (int)floor(a), i1 = (int)ceil(b);
            if (i1 > src) i1 = src;
            t[o].first = i0;
            for (int i = i0; i < i1 && t[o].n < most; i++) {
                double lo = i > a ? i : a, hi = i + 1 < b ? i + 1 : b;
                w[t[o].n++] = (float)((hi - lo) / ratio);
            }
        } else {
            double x = (o + 0.5) * ratio - 0.5;
            if (x < 0) x = 0;
            int i0 = (int)floor(x), i1 = i0 + 1 < src ? i0 + 1 : i0;
            float f = (float)(x - i0);
            t[o].first = i0;
            t[o].n = i1 > i0 ? 2 : 1;
            w[0] = i1 > i0 ? 1 - f : 1;
            if (i1 > i0) w[1] = f;
        }
    }
    return t;
}

/* Resizes the RGB bytes `rgb` (sw x sh) to st's input size and writes the blob. */
static kn_status_t resize_into(const ic_state *st, const unsigned char *rgb, int sw, int sh, float *blob,
                               kn_error_t *err) {
    int dw = st->width, dh = st->height;
    float *xpool = NULL, *ypool = NULL;
    ic_taps *xt = make_taps(sw, dw, &xpool), *yt = make_taps(sh, dh, &ypool);
    float *rows = malloc((size_t)sh * (size_t)dw * 3 * sizeof *rows); /* shrunk across, not yet down */
    kn_status_t rc = KN_OK;
    if (!xt || !yt || !rows) {
        rc = knc_fail(err, KN_E_NO_MEMORY, "out of memory");
        goto out;
    }
    for (int y = 0; y < sh; y++) {
        const unsigned char *src = rgb + (size_t)y * (size_t)sw * 3;
        float *dst = rows + (size_t)y * (size_t)dw * 3;
        for (int x = 0; x < dw; x++) {
            float acc[3] = {0, 0, 0};
            for (int k = 0; k < xt[x].n; k++) {
                const unsigned char *p = src + (size_t)(xt[x].first + k) * 3;
                for (int c = 0; c < 3; c++) acc[c] += xt[x].w[k] * p[c];
            }
            memcpy(dst + (size_t)x * 3, acc, sizeof acc);
        }
    }
    size_t plane = (size_t)dw * (size_t)dh;
    for (int y = 0; y < dh; y++) {
        for (int x = 0; x < dw; x++) {
            float px[3] = {0, 0, 0};
            for (int k = 0; k < yt[y].n; k++) {
                const float *p = rows + ((size_t)(yt[y].first + k) * (size_t)dw + (size_t)x) * 3;
                for (int c = 0; c < 3; c++) px[c] += yt[y].w[k] * p[c];
            }
            for (int c = 0; c < 3; c++) { /* c: the blob's channel; s: the picture's (R, G, B) */
                int s = st->bgr ? 2 - c : c;
                float v = (px[s] * st->scale - st->mean[s]) / st->std[s];
                size_t at = (size_t)y * (size_t)dw + (size_t)x;
                blob[st->layout == IC_NCHW ? (size_t)c * plane + at : at * 3 + (size_t)c] = v;
            }
        }
    }
out:
    free(xt), free(yt), free(xpool), free(ypool), free(rows);
    return rc;
}

/* The smallest of libjpeg-turbo's M/8 scalings that still covers the input size. */
static unsigned scale_for(const struct jpeg_decompress_struct *d, int w, int h) {
    for (unsigned m = 1; m < 8; m++)
        if ((d->image_width * m + 7) / 8 >= (unsigned)w && (d->image_height * m + 7) / 8 >= (unsigned)h) return m;
    return 8;
}

kn_status_t ic_jpeg_blob(const ic_state *st, const kn_call_t *call, const unsigned char *data, size_t len,
                         float *blob, int *src_w, int *src_h, kn_error_t *err) {
    struct jpeg_decompress_struct d;
    ic_jpeg_guard g;
    unsigned char *volatile rgb = NULL;
    unsigned char *volatile row = NULL;
    kn_status_t rc = KN_OK;

    if (len < 4)
        return knc_fail(err, KN_E_INVALID_ARGUMENT, "not a JPEG image: %zu bytes are too few", len);
    if (data[0] != 0xFF || data[1] != 0xD8)
        return knc_fail(err, KN_E_INVALID_ARGUMENT, "not a JPEG image (it does not start with the SOI marker)");
    memset(&g, 0, sizeof g);
    g.call = call, g.err = err;
    d.err = jpeg_std_error(&g.pub);
    g.pub.error_exit = on_error;
    g.pub.emit_message = on_message;
    g.progress.progress_monitor = on_progress;
    if (setjmp(g.env)) {
        rc = g.rc != KN_OK ? g.rc : knc_fail(err, KN_E_INVALID_ARGUMENT, "the JPEG image could not be decoded");
        goto out;
    }
    jpeg_create_decompress(&d);
    d.progress = &g.progress;
    d.mem->max_memory_to_use = IC_JPEG_MEMORY;
    jpeg_mem_src(&d, data, (unsigned long)len);
    jpeg_read_header(&d, TRUE);
    *src_w = (int)d.image_width, *src_h = (int)d.image_height;
    if ((uint64_t)d.image_width * d.image_height > st->max_pixels) {
        rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "the image is %ux%u, more than max_pixels (%llu)", d.image_width,
                      d.image_height, (unsigned long long)st->max_pixels);
        goto out;
    }
    bool cmyk = d.jpeg_color_space == JCS_CMYK || d.jpeg_color_space == JCS_YCCK;
    d.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    d.scale_num = scale_for(&d, st->width, st->height), d.scale_denom = 8;
    jpeg_start_decompress(&d);
    size_t ow = d.output_width, oh = d.output_height, comps = (size_t)d.output_components;
    if (!(rgb = malloc(ow * oh * 3)) || !(row = malloc(ow * comps))) {
        rc = knc_fail(err, KN_E_NO_MEMORY, "out of memory");
        goto out;
    }
    while (d.output_scanline < d.output_height) {
        JSAMPROW rows[1] = {row};
        size_t y = d.output_scanline;
        if (jpeg_read_scanlines(&d, rows, 1) != 1) { /* only a suspending source does that */
            rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "the JPEG image ended early");
            goto out;
        }
        unsigned char *dst = rgb + y * ow * 3;
        if (!cmyk) {
            memcpy(dst, row, ow * 3);
            continue;
        }
        /* Photoshop-style CMYK JPEGs (the ones seen in practice) store inverted values, so
         * each colour is simply its inverted ink times the inverted black. */
        for (size_t x = 0; x < ow; x++) {
            const unsigned char *p = row + x * 4;
            for (int c = 0; c < 3; c++) dst[x * 3 + (size_t)c] = (unsigned char)((p[c] * p[3] + 127) / 255);
        }
    }
    jpeg_finish_decompress(&d);
    rc = resize_into(st, rgb, (int)ow, (int)oh, blob, err);
out:
    jpeg_destroy_decompress(&d);
    free(rgb), free(row);
    return rc;
}
