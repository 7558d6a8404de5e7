/*
 * moderation-image: the instance's settings. ic_load_config reads the config JSON the host
 * validated (defaults filled in), applies the same defaults itself for hosts that have no
 * schema (a plugin's own test host), and checks what a schema cannot: that the model file
 * exists and can be read. Loading the network is start()'s (create() must stay fast).
 */
#define _POSIX_C_SOURCE 200809L

#include "ic_config.h"
#include "ic_net.h"
#include "knc_json.h"
#include "knc_text.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IC_DEFAULT_LABEL "nsfw"
#define IC_DEFAULT_SIZE 224
#define IC_MAX_SIZE 4096
#define IC_DEFAULT_MAX_BYTES 20971520.0 /* 20 MiB: a poster is ~100 KB, a photo a few MB */
#define IC_MAX_MAX_BYTES 268435456.0
#define IC_DEFAULT_MAX_PIXELS 25000000.0 /* a 6000x4000 photo; bounds libjpeg's memory */
#define IC_MAX_MAX_PIXELS 1000000000.0
#define IC_MAX_LABELS 1000

void ic_free_state(ic_state *st) {
    if (!st) return;
    ic_net_free(st->net);
    for (size_t i = 0; i < st->nlabels; i++) free(st->labels[i]);
    free(st->labels), free(st->model), free(st->output), free(st->label), free(st);
}

static char *dup_n(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n), d[n] = '\0';
    return d;
}

/* A string setting: absent gives `fallback`; present must be a string without NUL (and not
 * empty unless allow_empty). */
static kn_status_t get_string(const jval *root, const char *key, const char *fallback, bool allow_empty,
                              char **out, kn_error_t *err) {
    const jval *v = knc_json_get(root, key);
    if (!v) return (*out = dup_n(fallback, strlen(fallback))) ? KN_OK : knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    if (v->type != J_STR || strlen(v->str) != v->len || (!allow_empty && v->len == 0))
        return knc_fail(err, KN_E_CONFIG, "settings.%s: must be a%s string without NUL", key,
                        allow_empty ? "" : " non-empty");
    return (*out = dup_n(v->str, v->len)) ? KN_OK : knc_fail(err, KN_E_NO_MEMORY, "out of memory");
}

/* A number setting within [lo, hi] (whole when `whole`); absent gives `fallback`. */
static kn_status_t get_number(const jval *root, const char *key, double fallback, double lo, double hi, bool whole,
                              double *out, kn_error_t *err) {
    const jval *v = knc_json_get(root, key);
    double d = v ? v->num : fallback;
    /* The range test comes first: the cast in the whole-number test needs it. */
    if ((v && v->type != J_NUM) || !(d >= lo && d <= hi) || (whole && d != (double)(int64_t)d))
        return knc_fail(err, KN_E_CONFIG, "settings.%s: must be %s from %g to %g", key,
                        whole ? "an integer" : "a number", lo, hi);
    *out = d;
    return KN_OK;
}

/* One of `names` (NULL-terminated); absent gives index 0. */
static kn_status_t get_choice(const jval *root, const char *key, const char *const *names, int *out, kn_error_t *err) {
    const jval *v = knc_json_get(root, key);
    *out = 0;
    if (!v) return KN_OK;
    for (int i = 0; v->type == J_STR && names[i]; i++)
        if (strcmp(v->str, names[i]) == 0) return *out = i, KN_OK;
    char list[128] = "";
    for (int i = 0; names[i]; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"", i ? ", " : "", names[i]);
    return knc_fail(err, KN_E_CONFIG, "settings.%s: must be one of %s", key, list);
}

/* Three numbers, one per channel in R, G, B order; absent gives `fallback` thrice. */
static kn_status_t get_triple(const jval *root, const char *key, float fallback, bool positive, float out[3],
                              kn_error_t *err) {
    const jval *v = knc_json_get(root, key);
    if (!v) {
        out[0] = out[1] = out[2] = fallback;
        return KN_OK;
    }
    if (v->type != J_ARR || v->count != 3)
        return knc_fail(err, KN_E_CONFIG, "settings.%s: must be three numbers, for red, green and blue", key);
    for (size_t i = 0; i < 3; i++) {
        const jval *n = &v->items[i];
        if (n->type != J_NUM || !isfinite(n->num) || fabs(n->num) > 1e6 || (positive && !(n->num > 0)))
            return knc_fail(err, KN_E_CONFIG, "settings.%s[%zu]: must be a %snumber", key, i,
                            positive ? "positive " : "");
        out[i] = (float)n->num;
    }
    return KN_OK;
}

static kn_status_t get_labels(ic_state *st, const jval *root, kn_error_t *err) {
    const jval *v = knc_json_get(root, "labels");
    size_t named = 0;
    if (!v) return KN_OK;
    if (v->type != J_ARR || v->count > IC_MAX_LABELS)
        return knc_fail(err, KN_E_CONFIG, "settings.labels: must be an array of at most %d strings", IC_MAX_LABELS);
    if (v->count == 0) return KN_OK;
    if (!(st->labels = calloc(v->count, sizeof *st->labels))) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < v->count; i++) {
        const jval *s = &v->items[i];
        if (s->type != J_STR || strlen(s->str) != s->len)
            return knc_fail(err, KN_E_CONFIG, "settings.labels[%zu]: must be a string without NUL", i);
        if (!(st->labels[i] = dup_n(s->str, s->len))) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
        st->nlabels = i + 1;
        named += s->len > 0;
    }
    if (named == 0)
        return knc_fail(err, KN_E_CONFIG, "settings.labels: every name is empty, so nothing would ever be reported");
    return KN_OK;
}

/* The model must be a regular file this process can open: said now, by `kinora config
 * check` too, rather than when the daemon starts. */
static kn_status_t check_model(const ic_state *st, kn_error_t *err) {
    char shown[256];
    struct stat sb;
    const char *why = NULL;
    int fd = open(st->model, O_RDONLY | O_CLOEXEC);
    if (fd < 0) why = strerror(errno);
    else if (fstat(fd, &sb) != 0) why = strerror(errno);
    else if (!S_ISREG(sb.st_mode)) why = "not a regular file";
    else if (sb.st_size == 0) why = "the file is empty";
    if (fd >= 0) close(fd);
    if (why)
        return knc_fail(err, KN_E_CONFIG, "settings.model: cannot read the ONNX model \"%s\": %s",
                        KNC_CLIP(st->model, shown), why);
    return KN_OK;
}

kn_status_t ic_load_config(ic_state *st, const char *json, kn_error_t *err) {
    static const char *const layouts[] = {"nchw", "nhwc", NULL};
    static const char *const orders[] = {"rgb", "bgr", NULL};
    static const char *const activations[] = {"none", "sigmoid", "softmax", NULL};
    knc_json_error jerr;
    jval root = {0};
    kn_status_t rc = KN_OK;
    double w = 0, h = 0, scale = 0, max_bytes = 0, max_pixels = 0;
    int layout = 0, order = 0, activation = 0;

    if (!knc_json_parse(json, &root, &jerr)) {
        rc = knc_fail(err, jerr.oom ? KN_E_NO_MEMORY : KN_E_CONFIG, "settings are not valid JSON: %s at byte %zu",
                      jerr.what, jerr.pos);
        goto out;
    }
    if (root.type != J_OBJ) {
        rc = knc_fail(err, KN_E_CONFIG, "settings must be a JSON object");
        goto out;
    }
    const jval *model = knc_json_get(&root, "model");
    if (!model || model->type != J_STR || model->len == 0 || strlen(model->str) != model->len) {
        rc = knc_fail(err, KN_E_CONFIG, "settings.model: the path of an ONNX model file is required (this "
                      "plugin ships no model)");
        goto out;
    }
    if ((rc = get_string(&root, "model", "", false, &st->model, err)) != KN_OK ||
        (rc = get_string(&root, "output", "", true, &st->output, err)) != KN_OK ||
        (rc = get_string(&root, "label", IC_DEFAULT_LABEL, false, &st->label, err)) != KN_OK ||
        (rc = get_labels(st, &root, err)) != KN_OK ||
        (rc = get_number(&root, "input_width", IC_DEFAULT_SIZE, 1, IC_MAX_SIZE, true, &w, err)) != KN_OK ||
        (rc = get_number(&root, "input_height", IC_DEFAULT_SIZE, 1, IC_MAX_SIZE, true, &h, err)) != KN_OK ||
        (rc = get_number(&root, "scale", 1.0 / 255.0, 1e-9, 1e6, false, &scale, err)) != KN_OK ||
        (rc = get_triple(&root, "mean", 0.0f, false, st->mean, err)) != KN_OK ||
        (rc = get_triple(&root, "std", 1.0f, true, st->std, err)) != KN_OK ||
        (rc = get_choice(&root, "layout", layouts, &layout, err)) != KN_OK ||
        (rc = get_choice(&root, "channel_order", orders, &order, err)) != KN_OK ||
        (rc = get_choice(&root, "activation", activations, &activation, err)) != KN_OK ||
        (rc = get_number(&root, "max_bytes", IC_DEFAULT_MAX_BYTES, 1, IC_MAX_MAX_BYTES, true, &max_bytes, err)) != KN_OK ||
        (rc = get_number(&root, "max_pixels", IC_DEFAULT_MAX_PIXELS, 1, IC_MAX_MAX_PIXELS, true, &max_pixels, err)) != KN_OK)
        goto out;
    st->width = (int)w, st->height = (int)h, st->scale = (float)scale;
    st->layout = (ic_layout)layout, st->bgr = order == 1, st->activation = (ic_activation)activation;
    st->max_bytes = (size_t)max_bytes, st->max_pixels = (uint64_t)max_pixels;
    rc = check_model(st, err);
out:
    knc_json_free(&root);
    return rc;
}
