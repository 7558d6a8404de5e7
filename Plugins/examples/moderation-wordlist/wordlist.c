/*
 * moderation-wordlist — a kinora.moderation/1 plugin that flags text containing configured
 * words or matching configured POSIX regular expressions.
 *
 * Text and words are "folded" before they are compared (ASCII lowercased, accented Latin
 * letters reduced to base letters, invisible characters dropped, punctuation and symbols
 * turned into spaces), so "MERDÉ", "merde" and "m<soft hyphen>erde" look alike. Words match
 * whole tokens only; patterns run over the folded text.
 *
 * An instance is read-only after create(), so classify() needs no lock and may run on many
 * worker threads at once (glibc's regexec is MT-safe on a shared regex_t).
 *
 * This file is the plugin itself: classify, matching, and the descriptor, factory and module
 * entry. The rest of the folder: config.c (the instance and loading its config), fold.c
 * (UTF-8, folding and tokens), json.c (the config's JSON parser and JSON output) and msg.c
 * (error messages and logs), each with its wl_*.h header. Only kinora_module_entry_v1 is
 * exported: the functions the files share are declared WL_INTERNAL (hidden).
 */
#define _POSIX_C_SOURCE 200809L

#include <kinora/plugin.h>

#include "wl_config.h"
#include "wl_fold.h"
#include "knc_json.h"
#include "knc_text.h"

#include <errno.h>
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A copy built and shipped by someone else needs an id of its own (ids are unique among the
 * loaded plugins): cc -DWL_ID='"org.example.moderation-wordlist"' … */
#ifndef WL_ID
#define WL_ID "org.kinora.moderation-wordlist"
#endif
#define WL_VERSION "1.0.0"
#define WL_SCORE "1.0" /* a listed term was found: a fact, not an estimate (README, Scoring) */
#define WL_POLL_BYTES ((size_t)1 << 20)

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

static void trim(const char **s, size_t *n) {
    while (*n && (**s == ' ' || **s == '\t')) (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t')) (*n)--;
}

/* Any text/<subtype>. A charset parameter, if given, must be UTF-8 (or its subset
 * US-ASCII): anything else would only fail later as "not valid UTF-8". */
static kn_status_t check_media_type(const char *mt, kn_error_t *err) {
    char shown[128];
    if (!mt)
        return knc_fail(err, KN_E_UNSUPPORTED, "no media type given; this plugin handles text/*");
    const char *end = mt + strlen(mt), *semi = strchr(mt, ';'), *base = mt;
    size_t blen = (size_t)((semi ? semi : end) - mt);
    trim(&base, &blen);
    bool ok = blen > 5 && ascii_caseeq(base, 5, "text/");
    for (size_t i = 5; ok && i < blen; i++) ok = base[i] > ' ' && base[i] < 0x7F && base[i] != '/';
    if (!ok)
        return knc_fail(err, KN_E_UNSUPPORTED, "media type \"%s\" is not supported; this plugin "
                       "handles text/*", KNC_CLIP(mt, shown));
    for (const char *param = semi; param; param = strchr(param + 1, ';')) {
        const char *next = strchr(param + 1, ';'), *stop = next ? next : end;
        const char *name = param + 1, *eq = memchr(name, '=', (size_t)(stop - name));
        if (!eq) continue;
        const char *val = eq + 1;
        size_t nlen = (size_t)(eq - name), vlen = (size_t)(stop - val);
        trim(&name, &nlen), trim(&val, &vlen);
        if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') val++, vlen -= 2;
        if (ascii_caseeq(name, nlen, "charset") && !ascii_caseeq(val, vlen, "utf-8") &&
            !ascii_caseeq(val, vlen, "utf8") && !ascii_caseeq(val, vlen, "us-ascii"))
            return knc_fail(err, KN_E_UNSUPPORTED, "media type \"%s\": only UTF-8 text is supported",
                           KNC_CLIP(mt, shown));
    }
    return KN_OK;
}

static kn_status_t check_call(const kn_call_t *call, kn_error_t *err) {
    struct timespec ts;
    if (!call) return KN_OK;
    if (call->is_cancelled && call->is_cancelled(call))
        return knc_fail(err, KN_E_CANCELLED, "the call was cancelled");
    if (call->deadline_unix_ns > 0 && clock_gettime(CLOCK_REALTIME, &ts) == 0 &&
        (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec >= call->deadline_unix_ns)
        return knc_fail(err, KN_E_TIMEOUT, "the call's deadline passed");
    return KN_OK;
}

/* Reads the whole input into a buffer of at most max_bytes + 1 bytes (+ 1 for the NUL
 * regexec needs): the one byte too many proves the input too large without reading it all. */
static kn_status_t read_all(const wl_state *st, const kn_call_t *call, const kn_reader_t *r,
                            unsigned char **out, size_t *out_len, kn_error_t *err) {
    size_t max = st->max_bytes, limit = max + 1, cap = 64 * 1024, len = 0;
    unsigned char *buf;
    kn_status_t rc = KN_OK;
    if (!r->read && r->fd < 0)
        return knc_fail(err, KN_E_INVALID_ARGUMENT, "the reader has neither read() nor an fd");
    if (r->size_hint >= 0 && (uint64_t)r->size_hint > max)
        return knc_fail(err, KN_E_INVALID_ARGUMENT, "input of %lld bytes is larger than max_bytes "
                       "(%zu)", (long long)r->size_hint, max);
    if (r->size_hint >= 0) cap = (size_t)r->size_hint + 1; /* + 1: see the end without growing */
    if (cap > limit) cap = limit;
    if (!(buf = malloc(cap + 1))) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    while (rc == KN_OK && (rc = check_call(call, err)) == KN_OK) {
        int64_t got;
        if (len == cap) { /* then cap < limit, or len > max would have stopped us */
            size_t ncap = cap > limit / 2 ? limit : cap * 2;
            unsigned char *nbuf = realloc(buf, ncap + 1);
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

/* Do the other tokens of word w follow its first one, which ended at pos in the text? */
static bool rest_matches(const wl_word *w, const unsigned char *t, size_t n, size_t pos) {
    const unsigned char *f = (const unsigned char *)w->folded;
    size_t fpos = w->first_len, fs, fl, ts, tl;
    while (wl_next_token(f, w->folded_len, &fpos, &fs, &fl))
        if (!wl_next_token(t, n, &pos, &ts, &tl) || tl != fl || memcmp(t + ts, f + fs, fl) != 0)
            return false;
    return true;
}

static kn_status_t match_all(const wl_state *st, const kn_call_t *call, const unsigned char *t,
                             size_t n, bool *word_hit, bool *pat_hit, kn_error_t *err) {
    size_t pos = 0, start, len, poll_at = WL_POLL_BYTES;
    kn_status_t rc;
    while (st->nwords && wl_next_token(t, n, &pos, &start, &len)) {
        if (pos >= poll_at) {
            if ((rc = check_call(call, err)) != KN_OK) return rc;
            poll_at = pos + WL_POLL_BYTES;
        }
        uint32_t h = wl_fnv1a(t + start, len);
        for (int32_t i = st->buckets[h & (st->nbuckets - 1)]; i >= 0; i = st->words[i].next) {
            const wl_word *w = &st->words[i];
            if (!word_hit[i] && w->hash == h && w->first_len == len &&
                memcmp(w->folded, t + start, len) == 0 && rest_matches(w, t, n, pos))
                word_hit[i] = true;
        }
    }
    for (size_t i = 0; i < st->npatterns; i++) {
        if ((rc = check_call(call, err)) != KN_OK) return rc;
        pat_hit[i] = regexec(&st->patterns[i]->re, (const char *)t, 0, NULL, 0) == 0;
    }
    return KN_OK;
}

/* {"labels":[{"name":"<label>","score":1.0,"matches":["<word or pattern>",...]},...]}: one
 * entry per label with a hit, in config order; its words first, then its patterns. */
static char *render(const wl_state *st, const bool *word_hit, const bool *pat_hit,
                    size_t *nlabels) {
    knc_strbuf b = {0};
    *nlabels = 0;
    knc_sb_puts(&b, "{\"labels\":[");
    for (uint32_t g = 0; g < st->ngroups; g++) {
        bool first = true;
        for (size_t i = 0; i < st->nwords + st->npatterns; i++) {
            bool isw = i < st->nwords;
            size_t k = isw ? i : i - st->nwords;
            bool hit = isw ? word_hit[k] && st->words[k].group == g
                           : pat_hit[k] && st->patterns[k]->group == g;
            if (!hit) continue;
            if (first) {
                knc_sb_puts(&b, (*nlabels)++ ? ",{\"name\":" : "{\"name\":");
                knc_sb_json_string(&b, st->groups[g]);
                knc_sb_puts(&b, ",\"score\":" WL_SCORE ",\"matches\":[");
            } else {
                knc_sb_puts(&b, ",");
            }
            first = false;
            knc_sb_json_string(&b, isw ? st->words[k].shown : st->patterns[k]->shown);
        }
        if (!first) knc_sb_puts(&b, "]}");
    }
    knc_sb_puts(&b, "]}");
    if (b.oom) return free(b.p), NULL;
    return b.p;
}

static void wl_classify(const kn_plugin_t *plugin, const kn_call_t *call, const char *media_type,
                        kn_reader_t media, kn_completion_t done) {
    const wl_state *st = plugin ? plugin->plugin_data : NULL;
    kn_error_t err;
    unsigned char *text = NULL;
    bool *hits = NULL;
    char *result = NULL, rid[64];
    size_t len = 0, flen = 0, bad = 0, nlabels = 0;
    kn_status_t rc = st ? KN_OK : knc_fail(&err, KN_E_INVALID_ARGUMENT, "no plugin instance");

    if (rc == KN_OK) rc = check_media_type(media_type, &err);
    if (rc == KN_OK) rc = read_all(st, call, &media, &text, &len, &err);
    if (rc == KN_OK && !wl_fold_utf8(text, len, text, &flen, &bad, true))
        rc = knc_fail(&err, KN_E_INVALID_ARGUMENT, "input is not valid UTF-8 at byte %zu", bad);
    if (rc == KN_OK && !(hits = calloc(st->nwords + st->npatterns + 1, sizeof *hits)))
        rc = knc_fail(&err, KN_E_NO_MEMORY, "out of memory");
    if (rc == KN_OK) {
        text[flen] = '\0';
        rc = match_all(st, call, text, flen, hits, hits + st->nwords, &err);
    }
    if (rc == KN_OK && !(result = render(st, hits, hits + st->nwords, &nlabels)))
        rc = knc_fail(&err, KN_E_NO_MEMORY, "out of memory");

    if (st) /* never the text itself */
        knc_log(st->host, KN_LOG_DEBUG, "classify%s%s: %zu bytes, status %d, %zu labels",
               call && call->request_id ? " request " : "",
               call && call->request_id ? KNC_CLIP(call->request_id, rid) : "", len, (int)rc,
               nlabels);
    if (done.complete)
        done.complete(done.ctx, rc, rc == KN_OK ? NULL : &err, rc == KN_OK ? result : NULL);
    free(result), free(hits), free(text);
}

/* ======================================================================================
 * Plugin, factory and module entry
 * ==================================================================================== */

static const kn_moderation_v1_t wl_moderation = {wl_classify};
static const char *const wl_interfaces[] = {KN_MODERATION_ID, NULL};

static const char wl_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
    "\"words\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"minLength\":1},"
    "\"default\":[],\"description\":\"Words or phrases to flag, matched as whole words, "
    "ignoring case and accents.\"},"
    "\"patterns\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"minLength\":1},"
    "\"default\":[],"
    "\"description\":\"POSIX extended regular expressions, matched case-insensitively against the "
    "folded text.\"},"
    "\"label\":{\"type\":\"string\",\"minLength\":1,\"default\":\"blocklist\","
    "\"description\":\"Label reported when words or patterns match.\"},"
    "\"labels\":{\"type\":\"object\",\"description\":\"More labels, keyed by name, each "
    "with its own words and patterns.\",\"additionalProperties\":{\"type\":\"object\","
    "\"additionalProperties\":false,\"properties\":{"
    "\"words\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"minLength\":1},\"default\":[]},"
    "\"patterns\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"minLength\":1},"
    "\"default\":[]}}}},"
    "\"max_bytes\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":67108864,\"default\":1048576,"
    "\"description\":\"Largest input accepted, in bytes.\"}}}";

static const kn_plugin_descriptor_t wl_descriptor = {
    .abi = KN_ABI_VERSION_INIT,
    .id = WL_ID,
    .name = "Word list moderation",
    .vendor = "Kinora",
    .version = WL_VERSION,
    .description = "Flags text that contains listed words or matches listed regular expressions, "
                   "ignoring case and accents.",
    .url = NULL,
    .interfaces = wl_interfaces,
    .config_schema_json = wl_schema,
    .flags = 0, /* classify is reentrant: no need to serialize calls */
};

static kn_status_t wl_start(const kn_plugin_t *plugin, kn_error_t *err) {
    (void)plugin, (void)err;
    return KN_OK;
}

static void wl_stop(const kn_plugin_t *plugin) { (void)plugin; }

static void wl_destroy(const kn_plugin_t *plugin) {
    if (plugin) wl_free_state(plugin->plugin_data);
}

static const void *wl_get_interface(const kn_plugin_t *plugin, const char *interface_id) {
    (void)plugin;
    return interface_id && strcmp(interface_id, KN_MODERATION_ID) == 0 ? &wl_moderation : NULL;
}

static uint32_t wl_count(const kn_plugin_factory_t *factory) {
    (void)factory;
    return 1;
}

static const kn_plugin_descriptor_t *wl_get_descriptor(const kn_plugin_factory_t *factory,
                                                       uint32_t index) {
    (void)factory;
    return index == 0 ? &wl_descriptor : NULL;
}

static kn_status_t wl_create(const kn_plugin_factory_t *factory, const kn_host_t *host,
                             const char *plugin_id, const char *config_json,
                             const kn_plugin_t **out, kn_error_t *err) {
    char shown[96];
    (void)factory;
    if (!out) return knc_fail(err, KN_E_INVALID_ARGUMENT, "create() needs an out pointer");
    if (!plugin_id || strcmp(plugin_id, WL_ID) != 0)
        return knc_fail(err, KN_E_NOT_FOUND, "this module has no plugin \"%s\"",
                       KNC_CLIP(plugin_id, shown));
    wl_state *st = calloc(1, sizeof *st);
    if (!st) return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    st->host = host ? host : g_module_host;
    kn_status_t rc = wl_load_config(st, config_json ? config_json : "{}", err);
    if (rc != KN_OK) return wl_free_state(st), rc;
    st->plugin = (kn_plugin_t){&wl_descriptor, st, wl_start, wl_stop, wl_destroy, wl_get_interface};
    *out = &st->plugin;
    return KN_OK;
}

static const kn_plugin_factory_t wl_factory = {wl_count, wl_get_descriptor, wl_create};

static kn_status_t wl_init(const kn_host_t *host, const char *module_path, kn_error_t *err) {
    char shown[256];
    (void)err;
    g_module_host = host;
    knc_log(host, KN_LOG_INFO, "%s %s loaded from %s", WL_ID, WL_VERSION,
           KNC_CLIP(module_path, shown));
    return KN_OK;
}

static void wl_deinit(void) { g_module_host = NULL; }

static const void *wl_get_factory(const char *factory_id) {
    return factory_id && strcmp(factory_id, KN_PLUGIN_FACTORY_ID) == 0 ? &wl_factory : NULL;
}

static const kn_module_entry_t wl_entry = {KN_ABI_VERSION_INIT, wl_init, wl_deinit, wl_get_factory};

KN_EXPORT const kn_module_entry_t *kinora_module_entry_v1(void) { return &wl_entry; }
