/*
 * moderation-image — a kinora.moderation/1 plugin that classifies JPEG images with an ONNX
 * model the operator supplies (settings.model; Kinora ships none), run by OpenCV's DNN
 * module. Every value of the model's output is reported as a score under a label from the
 * settings (`label` for a one-value output, `labels` for one name per value).
 *
 * Only image/jpeg is handled: text and every other media type get KN_E_UNSUPPORTED, which
 * the host counts as a pass. The plugin builds the network's input itself (jpeg.c: decode
 * with libjpeg-turbo, resize, normalize) rather than through OpenCV's imgcodecs and imgproc,
 * which would pull some fifty more Debian packages into the daemon's dependencies.
 *
 * Calls may run concurrently: decoding does, and only the network's forward pass is taken
 * one at a time (net.cpp). The rest of the folder: config.c (settings), jpeg.c (the input)
 * and net.cpp (OpenCV), each with its ic_*.h header. Only kinora_module_entry_v1 is exported.
 */
#define _POSIX_C_SOURCE 200809L

#include <kinora/plugin.h>

#include "ic_config.h"
#include "ic_jpeg.h"
#include "ic_net.h"
#include "knc_json.h"
#include "knc_text.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A copy built and shipped by someone else needs an id of its own (ids are unique among the
 * loaded plugins): -DIC_ID='"org.example.moderation-image"'. */
#ifndef IC_ID
#define IC_ID "org.kinora.moderation-image"
#endif
#define IC_VERSION "1.0.0"

static const kn_host_t *g_module_host;

/* ======================================================================================
 * classify
 * ==================================================================================== */

static bool ascii_caseeq(const char *a, size_t n, const char *lower) {
    if (strlen(lower) != n) return false;
    for (size_t i = 0; i < n; i++)
        if ((a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 'a' - 'A' : a[i]) != lower[i]) return false;
    return true;
}

/* image/jpeg (and the old image/pjpeg), any case, parameters ignored. */
static kn_status_t check_media_type(const char *mt, kn_error_t *err) {
    char shown[128];
    if (!mt) return knc_fail(err, KN_E_UNSUPPORTED, "no media type given; this plugin handles image/jpeg");
    const char *semi = strchr(mt, ';'), *s = mt;
    size_t n = semi ? (size_t)(semi - mt) : strlen(mt);
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    if (ascii_caseeq(s, n, "image/jpeg") || ascii_caseeq(s, n, "image/pjpeg")) return KN_OK;
    return knc_fail(err, KN_E_UNSUPPORTED, "media type \"%s\" is not supported; this plugin handles image/jpeg",
                    KNC_CLIP(mt, shown));
}

/* Reads the whole input, at most max_bytes (one byte more proves it too large). */
static kn_status_t read_all(const ic_state *st, const kn_call_t *call, const kn_reader_t *r, unsigned char **out,
                            size_t *out_len, kn_error_t *err) {
    size_t max = st->max_bytes, limit = max + 1, cap = 256 * 1024, len = 0;
    unsigned char *buf;
    kn_status_t rc = KN_OK;
    if (!r->read && r->fd < 0) return knc_fail(err, KN_E_INVALID_ARGUMENT, "the reader has neither read() nor an fd");
    if (r->size_hint >= 0 && (uint64_t)r->size_hint > max)
        return knc_fail(err, KN_E_INVALID_ARGUMENT, "input of %lld bytes is larger than max_bytes (%zu)",
                        (long long)r->size_hint, max);
    if (r->size_hint >= 0) cap = (size_t)r->size_hint + 1; /* + 1: see the end without growing */
    if (cap > limit) cap = limit;
    if (!(buf = malloc(cap))) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    while (rc == KN_OK && (rc = ic_check_call(call, err)) == KN_OK) {
        int64_t got;
        if (len == cap) { /* then cap < limit, or len > max would have stopped us */
            size_t ncap = cap > limit / 2 ? limit : cap * 2;
            unsigned char *nbuf = realloc(buf, ncap);
            if (!nbuf) {
                rc = knc_fail(err, KN_E_NO_MEMORY, "out of memory");
                break;
            }
            buf = nbuf, cap = ncap;
        }
        if (r->read) {
            got = r->read(r->ctx, buf + len, cap - len);
        } else {
            ssize_t k = read(r->fd, buf + len, cap - len);
            if (k < 0 && errno == EINTR) continue;
            got = k < 0 ? KN_E_IO : (int64_t)k;
        }
        if (got == 0) {
            *out = buf, *out_len = len;
            return KN_OK;
        }
        if (got < 0)
            rc = knc_fail(err, got >= KN_E_NO_SPACE ? (kn_status_t)got : KN_E_CANCELLED,
                          "reading the input failed (status %lld)", (long long)got);
        else if ((uint64_t)got > cap - len)
            rc = knc_fail(err, KN_E_INTERNAL, "the reader returned more bytes than asked for");
        else if ((len += (size_t)got) > max)
            rc = knc_fail(err, KN_E_INVALID_ARGUMENT, "input is larger than max_bytes (%zu)", max);
    }
    free(buf);
    return rc;
}

static void activate(ic_activation how, float *v, size_t n) {
    if (how == IC_ACT_SIGMOID) {
        for (size_t i = 0; i < n; i++) v[i] = 1.0f / (1.0f + expf(-v[i]));
    } else if (how == IC_ACT_SOFTMAX && n > 0) {
        float top = v[0], sum = 0;
        for (size_t i = 1; i < n; i++) top = v[i] > top ? v[i] : top;
        for (size_t i = 0; i < n; i++) sum += (v[i] = expf(v[i] - top));
        for (size_t i = 0; i < n; i++) v[i] /= sum;
    }
}

typedef struct {
    const char *name;
    float score;
} ic_score;

static int by_score(const void *a, const void *b) {
    float x = ((const ic_score *)a)->score, y = ((const ic_score *)b)->score;
    return x > y ? -1 : x < y ? 1 : 0;
}

/* {"labels":[{"name":"nsfw","score":0.93}, ...]}, highest first. Scores outside [0,1] (a
 * model that answers logits without settings.activation) are clamped, and said once. */
static kn_status_t render(ic_state *st, float *values, size_t n, char **out, size_t *nlabels, kn_error_t *err) {
    ic_score *scores = calloc(n ? n : 1, sizeof *scores);
    knc_strbuf b = {0};
    bool clamped = false;
    size_t k = 0;
    if (!scores) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    activate(st->activation, values, n);
    for (size_t i = 0; i < n; i++) {
        const char *name = st->nlabels ? st->labels[i] : st->label;
        if (!isfinite(values[i])) {
            free(scores);
            return knc_fail(err, KN_E_INTERNAL, "the model's output %zu is not a finite number", i);
        }
        if (!*name) continue; /* a value the settings leave out ("neutral") */
        float s = values[i];
        if (s < 0 || s > 1) clamped = true, s = s < 0 ? 0 : 1;
        scores[k++] = (ic_score){name, s};
    }
    if (clamped && !atomic_exchange(&st->warned_range, true))
        knc_log(st->host, KN_LOG_WARN, "the model answered scores outside [0,1], clamped: does it need "
                "settings.activation = \"sigmoid\" or \"softmax\"?");
    qsort(scores, k, sizeof *scores, by_score);
    knc_sb_puts(&b, "{\"labels\":[");
    for (size_t i = 0; i < k; i++) {
        char num[32];
        snprintf(num, sizeof num, ",\"score\":%.6g}", (double)scores[i].score);
        knc_sb_puts(&b, i ? ",{\"name\":" : "{\"name\":");
        knc_sb_json_string(&b, scores[i].name);
        knc_sb_puts(&b, num);
    }
    knc_sb_puts(&b, "]}");
    free(scores);
    if (b.oom) return free(b.p), knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    *out = b.p, *nlabels = k;
    return KN_OK;
}

static void input_dims(const ic_state *st, int dims[4]) {
    dims[0] = 1;
    if (st->layout == IC_NCHW) dims[1] = 3, dims[2] = st->height, dims[3] = st->width;
    else dims[1] = st->height, dims[2] = st->width, dims[3] = 3;
}

static kn_status_t run_net(const ic_state *st, const kn_call_t *call, const float *blob, float **values, size_t *count,
                           kn_error_t *err) {
    char why[400];
    int dims[4];
    input_dims(st, dims);
    kn_status_t rc = ic_net_run(st->net, blob, dims, call ? call->deadline_unix_ns : 0, values, count, why, sizeof why);
    if (rc == KN_E_TIMEOUT) return knc_fail(err, rc, "%s", why);
    if (rc != KN_OK) return knc_fail(err, rc, "running the model failed: %s", why);
    return KN_OK;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void ic_classify(const kn_plugin_t *plugin, const kn_call_t *call, const char *media_type, kn_reader_t media,
                        kn_completion_t done) {
    ic_state *st = plugin ? plugin->plugin_data : NULL;
    kn_error_t err;
    unsigned char *bytes = NULL;
    float *blob = NULL, *values = NULL;
    char *result = NULL, rid[64];
    size_t len = 0, count = 0, nlabels = 0;
    int w = 0, h = 0;
    double started = now_ms();
    kn_status_t rc = st ? KN_OK : knc_fail(&err, KN_E_INVALID_ARGUMENT, "no plugin instance");

    if (rc == KN_OK) rc = check_media_type(media_type, &err);
    if (rc == KN_OK && !st->net) rc = knc_fail(&err, KN_E_UNAVAILABLE, "the instance is not started");
    if (rc == KN_OK) rc = read_all(st, call, &media, &bytes, &len, &err);
    if (rc == KN_OK && len == 0) rc = knc_fail(&err, KN_E_INVALID_ARGUMENT, "empty input is not a JPEG image");
    if (rc == KN_OK && !(blob = malloc((size_t)st->width * (size_t)st->height * 3 * sizeof *blob)))
        rc = knc_fail(&err, KN_E_NO_MEMORY, "out of memory");
    if (rc == KN_OK) rc = ic_jpeg_blob(st, call, bytes, len, blob, &w, &h, &err);
    free(bytes), bytes = NULL; /* the encoded picture is not needed past here */
    if (rc == KN_OK) rc = ic_check_call(call, &err);
    if (rc == KN_OK) rc = run_net(st, call, blob, &values, &count, &err);
    if (rc == KN_OK && count != st->outputs)
        rc = knc_fail(&err, KN_E_INTERNAL, "the model answered %zu values, %zu when it was started", count, st->outputs);
    if (rc == KN_OK) rc = render(st, values, count, &result, &nlabels, &err);

    if (st) /* never the picture itself */
        knc_log(st->host, KN_LOG_DEBUG, "classify%s%s: %zu bytes, %dx%d, status %d, %zu labels, %.1f ms",
                call && call->request_id ? " request " : "", call && call->request_id ? KNC_CLIP(call->request_id, rid) : "",
                len, w, h, (int)rc, nlabels, now_ms() - started);
    if (done.complete) done.complete(done.ctx, rc, rc == KN_OK ? NULL : &err, rc == KN_OK ? result : NULL);
    free(result), free(values), free(blob);
}

/* ======================================================================================
 * Plugin, factory and module entry
 * ==================================================================================== */

static const kn_moderation_v1_t ic_moderation = {ic_classify};
static const char *const ic_interfaces[] = {KN_MODERATION_ID, NULL};

static const char ic_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"model\"],\"properties\":{"
    "\"model\":{\"type\":\"string\",\"minLength\":1,\"description\":\"Path of the ONNX model file (Kinora "
    "ships none).\"},"
    "\"label\":{\"type\":\"string\",\"minLength\":1,\"default\":\"nsfw\",\"description\":\"Label of the "
    "score when the model answers one value.\"},"
    "\"labels\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"maxItems\":1000,\"default\":[],"
    "\"description\":\"One label per output value, in order; an empty name leaves that value out.\"},"
    "\"output\":{\"type\":\"string\",\"default\":\"\",\"description\":\"Output layer to read; empty for "
    "the model's first output.\"},"
    "\"input_width\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":4096,\"default\":224},"
    "\"input_height\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":4096,\"default\":224},"
    "\"layout\":{\"enum\":[\"nchw\",\"nhwc\"],\"default\":\"nchw\"},"
    "\"channel_order\":{\"enum\":[\"rgb\",\"bgr\"],\"default\":\"rgb\"},"
    "\"scale\":{\"type\":\"number\",\"exclusiveMinimum\":0,\"maximum\":1000000,\"default\":0.00392156862745098,"
    "\"description\":\"Each pixel value (0-255) is multiplied by it, then mean is subtracted and the result "
    "divided by std.\"},"
    "\"mean\":{\"type\":\"array\",\"items\":{\"type\":\"number\"},\"minItems\":3,\"maxItems\":3,"
    "\"default\":[0,0,0],\"description\":\"Per channel, red, green, blue.\"},"
    "\"std\":{\"type\":\"array\",\"items\":{\"type\":\"number\",\"exclusiveMinimum\":0},\"minItems\":3,"
    "\"maxItems\":3,\"default\":[1,1,1],\"description\":\"Per channel, red, green, blue.\"},"
    "\"activation\":{\"enum\":[\"none\",\"sigmoid\",\"softmax\"],\"default\":\"none\",\"description\":"
    "\"Applied to the output values before they are reported (for a model that answers logits).\"},"
    "\"max_bytes\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":268435456,\"default\":20971520},"
    "\"max_pixels\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000000000,\"default\":25000000}}}";

static const kn_plugin_descriptor_t ic_descriptor = {
    .abi = KN_ABI_VERSION_INIT,
    .id = IC_ID,
    .name = "Image moderation (ONNX)",
    .vendor = "Kinora",
    .version = IC_VERSION,
    .description = "Scores JPEG images with an ONNX model of the operator's choice, run by OpenCV's DNN module.",
    .url = NULL,
    .interfaces = ic_interfaces,
    .config_schema_json = ic_schema,
    .flags = 0, /* calls may overlap: the network's own lock serializes only the forward pass */
};

/* Loads the network and runs it once on a blank picture: a model that does not take the
 * configured input, or whose output does not match the labels, is refused here, with the
 * setting to change, rather than on every call. */
static kn_status_t ic_start(const kn_plugin_t *plugin, kn_error_t *err) {
    ic_state *st = plugin->plugin_data;
    char why[400], shown[256];
    float *blob = NULL, *values = NULL;
    size_t count = 0, n = (size_t)st->width * (size_t)st->height * 3;
    double started = now_ms();
    kn_status_t rc = ic_net_load(st->model, st->output, &st->net, why, sizeof why);
    if (rc != KN_OK)
        return knc_fail(err, rc, "settings.model: OpenCV cannot load the ONNX model \"%s\": %s",
                        KNC_CLIP(st->model, shown), why);
    if (!(blob = calloc(n, sizeof *blob))) {
        rc = knc_fail(err, KN_E_NO_MEMORY, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) { /* a mid-grey picture, normalized like any other */
        size_t c = st->layout == IC_NCHW ? i / ((size_t)st->width * (size_t)st->height) : i % 3;
        size_t s = st->bgr ? 2 - c : c;
        blob[i] = (128.0f * st->scale - st->mean[s]) / st->std[s];
    }
    if ((rc = run_net(st, NULL, blob, &values, &count, err)) != KN_OK) {
        char first[KN_ERROR_MESSAGE_MAX];
        snprintf(first, sizeof first, "%s", err->message);
        rc = knc_fail(err, KN_E_CONFIG, "settings: the model does not run on a %s input of %dx%d (settings.layout, "
                      "input_width, input_height): %s", st->layout == IC_NCHW ? "NCHW" : "NHWC", st->width,
                      st->height, first);
    } else if (count == 0) {
        rc = knc_fail(err, KN_E_CONFIG, "settings.output: the model's output \"%s\" holds no value",
                      ic_net_output(st->net));
    } else if (st->nlabels == 0 && count != 1) {
        rc = knc_fail(err, KN_E_CONFIG, "settings.labels: the model's output \"%s\" holds %zu values; name each "
                      "(an empty name leaves a value out)", ic_net_output(st->net), count);
    } else if (st->nlabels > 0 && count != st->nlabels) {
        rc = knc_fail(err, KN_E_CONFIG, "settings.labels: %zu names for the %zu values of the model's output \"%s\"",
                      st->nlabels, count, ic_net_output(st->net));
    }
    if (rc == KN_OK) {
        st->outputs = count;
        knc_log(st->host, KN_LOG_INFO, "model %s ready in %.0f ms: output \"%s\" of %zu value%s, input %dx%d %s",
                KNC_CLIP(st->model, shown), now_ms() - started, ic_net_output(st->net), count, count == 1 ? "" : "s",
                st->width, st->height, st->layout == IC_NCHW ? "NCHW" : "NHWC");
    }
out:
    if (rc != KN_OK) ic_net_free(st->net), st->net = NULL;
    free(blob), free(values);
    return rc;
}

static void ic_stop(const kn_plugin_t *plugin) { (void)plugin; }

static void ic_destroy(const kn_plugin_t *plugin) {
    if (plugin) ic_free_state(plugin->plugin_data);
}

static const void *ic_get_interface(const kn_plugin_t *plugin, const char *interface_id) {
    (void)plugin;
    return interface_id && strcmp(interface_id, KN_MODERATION_ID) == 0 ? &ic_moderation : NULL;
}

static uint32_t ic_count(const kn_plugin_factory_t *factory) {
    (void)factory;
    return 1;
}

static const kn_plugin_descriptor_t *ic_get_descriptor(const kn_plugin_factory_t *factory, uint32_t index) {
    (void)factory;
    return index == 0 ? &ic_descriptor : NULL;
}

static kn_status_t ic_create(const kn_plugin_factory_t *factory, const kn_host_t *host, const char *plugin_id,
                             const char *config_json, const kn_plugin_t **out, kn_error_t *err) {
    char shown[96];
    (void)factory;
    if (!out) return knc_fail(err, KN_E_INVALID_ARGUMENT, "create() needs an out pointer");
    if (!plugin_id || strcmp(plugin_id, IC_ID) != 0)
        return knc_fail(err, KN_E_NOT_FOUND, "this module has no plugin \"%s\"", KNC_CLIP(plugin_id, shown));
    ic_state *st = calloc(1, sizeof *st);
    if (!st) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    st->host = host ? host : g_module_host;
    kn_status_t rc = ic_load_config(st, config_json ? config_json : "{}", err);
    if (rc != KN_OK) return ic_free_state(st), rc;
    st->plugin = (kn_plugin_t){&ic_descriptor, st, ic_start, ic_stop, ic_destroy, ic_get_interface};
    *out = &st->plugin;
    return KN_OK;
}

static const kn_plugin_factory_t ic_factory = {ic_count, ic_get_descriptor, ic_create};

static kn_status_t ic_init(const kn_host_t *host, const char *module_path, kn_error_t *err) {
    char shown[256];
    (void)err;
    g_module_host = host;
    knc_log(host, KN_LOG_INFO, "%s %s loaded from %s", IC_ID, IC_VERSION, KNC_CLIP(module_path, shown));
    return KN_OK;
}

static void ic_deinit(void) { g_module_host = NULL; }

static const void *ic_get_factory(const char *factory_id) {
    return factory_id && strcmp(factory_id, KN_PLUGIN_FACTORY_ID) == 0 ? &ic_factory : NULL;
}

static const kn_module_entry_t ic_entry = {KN_ABI_VERSION_INIT, ic_init, ic_deinit, ic_get_factory};

KN_EXPORT const kn_module_entry_t *kinora_module_entry_v1(void) { return &ic_entry; }
