/*
 * kinora/plugin.h — the Kinora plugin ABI, major version 1.
 *
 * This header is the whole contract between the Kinora daemon (the "host") and a plugin
 * module (a shared object, ".so"). It is plain C11 so that plugins can be written in C,
 * C++, Swift (@_cdecl), Rust (extern "C") or anything else that can export a C function.
 *
 * ----------------------------------------------------------------------------------------
 * Rules that apply to every declaration below
 * ----------------------------------------------------------------------------------------
 * Versioning
 *   - A module exports exactly ONE symbol: the function `kinora_module_entry_v1`. The major
 *     version is in the symbol name and in the returned struct. The host refuses a module
 *     whose major differs from its own, naming the file and both versions.
 *   - Released structs are FROZEN. New capability means a new interface id
 *     ("kinora.storage/2"), never a field appended to an existing struct. A plugin may answer
 *     several versions of an interface at once. The minor version only tells which
 *     interfaces a header knew about; capabilities are discovered by id at run time.
 *   - Compatibility promise: a module built against 1.x loads into every 1.y host.
 *
 * Memory
 *   - Whoever allocates frees. Nothing allocated by one side is freed by the other.
 *   - Pointer arguments are BORROWED for the duration of the call only: copy what you keep.
 *     For an operation that takes a completion, "the call" lasts until the completion is
 *     invoked: the kn_call_t, key strings, readers and writers stay valid until then, even
 *     when the plugin completes after the operation function has returned.
 *   - Pointers the plugin hands out (descriptors, interface tables, the kn_plugin_t) stay
 *     valid until that plugin's destroy() (or the module's deinit() for descriptors).
 *   - The `result` pointer passed to a completion is valid only during that completion call.
 *   - Strings are UTF-8 and NUL-terminated. Byte runs are (pointer, length) pairs or
 *     kn_reader_t / kn_writer_t streams, so multi-gigabyte objects never sit in memory.
 *
 * Errors
 *   - Functions return a kn_status_t (KN_OK or a negative KN_E_* code) and, on failure, fill
 *     a CALLER-OWNED kn_error_t with a human-readable message. Nothing throws, panics or
 *     longjmps across this boundary: a plugin catches its own exceptions. A crash in a plugin
 *     is a crash of the daemon.
 *   - The host treats unknown negative codes as KN_E_INTERNAL.
 *
 * Threads (each function carries one of these tags)
 *   [main]        called from the host's control thread; never concurrently with another
 *                 [main] call on the same object. May block briefly (file or config I/O).
 *   [any]         may be called from any thread, concurrently. Must not block for long.
 *   [blocking-ok] called on a host worker thread reserved for plugin calls; may block on
 *                 disk or network. Calls may run concurrently on one instance unless the
 *                 descriptor sets KN_PLUGIN_FLAG_SERIALIZE_CALLS.
 *
 * Lifetime
 *   dlopen (RTLD_NOW|RTLD_LOCAL|RTLD_NODELETE) -> kinora_module_entry_v1() -> init()
 *   -> get_factory() -> create() -> start() -> ...operations... -> stop() -> destroy()
 *   -> deinit(). The host never dlclose()s a module: deinit() is the end of its life.
 *
 * Building a plugin (C):
 *   cc -std=c11 -shared -fPIC -fvisibility=hidden -Wl,-z,defs -I/usr/include \
 *      -o my-plugin.so my-plugin.c
 *   and mark the entry function KN_EXPORT. See share/doc/plugins.md for the full guide.
 */
#ifndef KINORA_PLUGIN_H
#define KINORA_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define KN_EXPORT __declspec(dllexport)
#else
#define KN_EXPORT __attribute__((visibility("default")))
#endif

/* ======================================================================================
 * Versioning
 * ==================================================================================== */

#define KN_ABI_MAJOR 1
#define KN_ABI_MINOR 0

typedef struct kn_version {
    uint32_t major;
    uint32_t minor;
    uint32_t patch;
} kn_version_t;

#define KN_ABI_VERSION_INIT { KN_ABI_MAJOR, KN_ABI_MINOR, 0 }

/* ======================================================================================
 * Status codes and errors
 * ==================================================================================== */

typedef int32_t kn_status_t;

/* #defines rather than an enum so that Swift imports them as Int32 (= kn_status_t). */
#define KN_OK                   0
#define KN_E_INVALID_ARGUMENT (-1)  /* bad key, bad range, malformed input                 */
#define KN_E_NOT_FOUND        (-2)  /* the object / resource does not exist                */
#define KN_E_ALREADY_EXISTS   (-3)
#define KN_E_PERMISSION       (-4)  /* denied by the backend (credentials, file modes)     */
#define KN_E_UNAVAILABLE      (-5)  /* transient: the host may retry with backoff          */
#define KN_E_TIMEOUT          (-6)  /* the call's deadline passed                          */
#define KN_E_CANCELLED        (-7)  /* the call was cancelled, or a stream peer went away  */
#define KN_E_UNSUPPORTED      (-8)  /* the operation or option is not implemented          */
#define KN_E_IO               (-9)  /* disk or network I/O failed                          */
#define KN_E_NO_MEMORY        (-10)
#define KN_E_CONFIG           (-11) /* the instance's configuration is unusable            */
#define KN_E_INTERNAL         (-12) /* a bug; unknown negative codes are treated as this   */
#define KN_E_NO_SPACE         (-13) /* the backend is full (ENOSPC, quota)                  */

/* A short English name for a status code ("not found"); never NULL. */
static inline const char *kn_status_string(kn_status_t status) {
    switch (status) {
    case KN_OK: return "ok";
    case KN_E_INVALID_ARGUMENT: return "invalid argument";
    case KN_E_NOT_FOUND: return "not found";
    case KN_E_ALREADY_EXISTS: return "already exists";
    case KN_E_PERMISSION: return "permission denied";
    case KN_E_UNAVAILABLE: return "unavailable";
    case KN_E_TIMEOUT: return "timed out";
    case KN_E_CANCELLED: return "cancelled";
    case KN_E_UNSUPPORTED: return "unsupported";
    case KN_E_IO: return "I/O error";
    case KN_E_NO_MEMORY: return "out of memory";
    case KN_E_CONFIG: return "configuration error";
    case KN_E_NO_SPACE: return "no space left";
    default: return "internal error";
    }
}

#define KN_ERROR_MESSAGE_MAX 512

/* Caller-owned error report. The callee fills it only on failure; no allocation crosses. */
typedef struct kn_error {
    kn_status_t code;
    int32_t detail;                     /* optional: errno, HTTP status or vendor code; 0 */
    char message[KN_ERROR_MESSAGE_MAX]; /* UTF-8, NUL-terminated, may be truncated        */
} kn_error_t;

/* ======================================================================================
 * Call plumbing: context, completions, byte streams
 * ==================================================================================== */

/* Per-call context handed to every potentially slow operation. Borrowed for the call. */
typedef struct kn_call {
    const char *request_id;   /* correlation id for logs; may be NULL                      */
    int64_t deadline_unix_ns; /* CLOCK_REALTIME deadline in ns; 0 = none. Past it, give up
                                 with KN_E_TIMEOUT.                                         */
    void *host_ctx;           /* host-private                                               */
    /* [any] Cheap; poll it in long loops and finish with KN_E_CANCELLED when true. */
    bool (*is_cancelled)(const struct kn_call *call);
} kn_call_t;

/* Every slow operation reports through a completion. It MUST be invoked exactly once, from
 * any thread, possibly before the operation function returns (a plugin may simply do the
 * work on the calling worker thread and complete inline). `err` is NULL when status is
 * KN_OK; like `result` (documented per operation) it is valid only during the call. */
typedef struct kn_completion {
    void *ctx;
    void (*complete)(void *ctx, kn_status_t status, const kn_error_t *err, const void *result);
} kn_completion_t;

/* Pull stream: bytes flowing INTO the plugin (an upload, media to classify). */
typedef struct kn_reader {
    void *ctx;
    /* [blocking-ok] Never NULL. Fills up to `cap` bytes of `buf`. Returns the count
     * (1..cap), 0 at end of stream, or a negative kn_status_t (KN_E_CANCELLED: the client
     * went away; KN_E_IO). A plugin passes a reader's failure code on as its own status. */
    int64_t (*read)(void *ctx, uint8_t *buf, size_t cap);
    int64_t size_hint; /* total bytes when known, else -1                                    */
    int fd;            /* optional fast path: a readable regular file positioned at 0, or -1.
                          Owned by the host: never close it. Use read() or the fd, not both. */
} kn_reader_t;

/* Push stream: bytes flowing OUT of the plugin (a download). */
typedef struct kn_writer {
    void *ctx;
    /* [blocking-ok] Consumes all `len` bytes or fails. May block while the consumer is
     * slow (backpressure). KN_E_CANCELLED: the consumer went away; stop and complete. */
    kn_status_t (*write)(void *ctx, const uint8_t *buf, size_t len);
} kn_writer_t;

/* ======================================================================================
 * The host and its services
 * ==================================================================================== */

#define KN_LOG_TRACE 0
#define KN_LOG_DEBUG 1
#define KN_LOG_INFO  2
#define KN_LOG_WARN  3
#define KN_LOG_ERROR 4

/* The host as a plugin sees it. One kn_host_t is given to the module (init) and one to each
 * instance (create), so that logs and metrics are tagged with the instance automatically.
 * Every kn_host_t stays valid until the module's deinit(), not just until destroy(). */
typedef struct kn_host {
    kn_version_t abi;     /* the host's ABI version                                        */
    void *host_data;      /* host-private                                                  */
    const char *name;     /* "kinora"                                                      */
    const char *version;  /* the daemon's version, e.g. "0.1.0"                           */
    const char *instance; /* instance name ("media" for plugins.d/media.toml); NULL for the
                             module-level host given to init()                            */
    /* [any] Never blocks. `msg` is borrowed. Never pass secrets to it. */
    void (*log)(const struct kn_host *host, int32_t level, const char *msg);
    /* [any] Returns the service's function table, or NULL when the host does not offer it.
     * The table stays valid as long as `host`. */
    const void *(*get_service)(const struct kn_host *host, const char *service_id);
} kn_host_t;

/* -- metrics: exported by the host on /metrics, labelled with the plugin instance ------- */
#define KN_HOST_METRICS_ID "kinora.host.metrics/1"
#define KN_METRIC_COUNTER   0
#define KN_METRIC_GAUGE     1
#define KN_METRIC_HISTOGRAM 2 /* seconds */
typedef struct kn_host_metrics_v1 {
    /* [main] Registers a metric; `name` must match [a-z_][a-z0-9_]* and is prefixed by the
     * host with "kinora_plugin_". `label_names` is NULL-terminated (may be NULL). Returns a
     * handle, or 0 on failure (bad name, kind clash with an earlier registration). */
    uint64_t (*register_metric)(const kn_host_t *host, int32_t kind, const char *name,
                                const char *help, const char *const *label_names);
    /* [any] Counter: adds `value`. Gauge: sets it. Histogram: records it. `label_values`
     * has the same arity as the registration's label names (NULL when there are none). */
    void (*record)(const kn_host_t *host, uint64_t metric, const char *const *label_values,
                   double value);
} kn_host_metrics_v1_t;

/* -- events: fire-and-forget notifications into the daemon's event bus ------------------ */
#define KN_HOST_EVENTS_ID "kinora.host.events/1"
typedef struct kn_host_events_v1 {
    /* [any] `topic` like "storage.object.removed"; `json` a JSON object, both borrowed.
     * KN_E_INVALID_ARGUMENT if json does not parse. Never blocks. */
    kn_status_t (*emit)(const kn_host_t *host, const char *topic, const char *json);
} kn_host_events_v1_t;

/* -- secrets: values the operator keeps out of config files ----------------------------- */
#define KN_HOST_SECRETS_ID "kinora.host.secrets/1"
typedef struct kn_host_secrets_v1 {
    /* [any] Copies the secret `name` into `buf` (not NUL-terminated) and sets *out_len.
     * KN_E_NOT_FOUND if unknown; KN_E_INVALID_ARGUMENT with *out_len = needed size if `cap`
     * is too small. The host never logs secret values; neither may the plugin. */
    kn_status_t (*get)(const kn_host_t *host, const char *name, uint8_t *buf, size_t cap,
                       size_t *out_len);
} kn_host_secrets_v1_t;

/* Reserved for a later minor version: "kinora.host.http/1" (outbound HTTP through the
 * host's proxy and TLS policy). */

/* ======================================================================================
 * Plugins, descriptors and factories
 * ==================================================================================== */

/* The host serializes every operation on an instance (one call in flight at a time). */
#define KN_PLUGIN_FLAG_SERIALIZE_CALLS (1u << 0)

/* Static description of one plugin. Lives until deinit(). */
typedef struct kn_plugin_descriptor {
    kn_version_t abi;               /* KN_ABI_VERSION_INIT                                  */
    const char *id;                 /* reverse-DNS, unique, [a-z][a-z0-9._-]*, at most 128
                                       bytes: "org.acme.storage-x"                          */
    const char *name;               /* human name, mandatory                                */
    const char *vendor;             /* may be NULL                                          */
    const char *version;            /* the plugin's own version, e.g. "1.2.0"; may be NULL  */
    const char *description;        /* may be NULL                                          */
    const char *url;                /* may be NULL                                          */
    const char *const *interfaces;  /* NULL-terminated list: {"kinora.storage/1", NULL}     */
    /* JSON Schema (a documented subset, see share/doc/plugins.md) of the instance settings,
     * or NULL for "no settings". The host validates and fills defaults before create(). */
    const char *config_schema_json;
    uint64_t flags;                 /* KN_PLUGIN_FLAG_*                                     */
} kn_plugin_descriptor_t;

/* One configured instance of a plugin. Allocated by the plugin in create(), released by
 * the plugin in destroy(). */
typedef struct kn_plugin {
    const kn_plugin_descriptor_t *desc;
    void *plugin_data; /* plugin-private */
    /* [main] Acquire resources, verify the backend (may do I/O). On failure fill `err`;
     * the host then calls destroy() without stop(). */
    kn_status_t (*start)(const struct kn_plugin *plugin, kn_error_t *err);
    /* [main] Stop accepting work. Called in reverse order of start, after the host has
     * waited for the instance's in-flight calls to complete (at most 10 seconds, so that a
     * stuck backend cannot block shutdown forever). */
    void (*stop)(const struct kn_plugin *plugin);
    /* [main] Release everything, joining any thread or timer the plugin started. No call is
     * in flight. `plugin` is invalid afterwards. */
    void (*destroy)(const struct kn_plugin *plugin);
    /* [any] The function table for `interface_id` ("kinora.storage/1"), or NULL. The table
     * stays valid until destroy(). */
    const void *(*get_interface)(const struct kn_plugin *plugin, const char *interface_id);
} kn_plugin_t;

#define KN_PLUGIN_FACTORY_ID "kinora.plugin-factory/1"
typedef struct kn_plugin_factory {
    /* [any] Number of plugins the module provides. */
    uint32_t (*count)(const struct kn_plugin_factory *factory);
    /* [any] Descriptor `index` (0 ..< count), or NULL when out of range. */
    const kn_plugin_descriptor_t *(*get_descriptor)(const struct kn_plugin_factory *factory,
                                                    uint32_t index);
    /* [main] Create an instance of `plugin_id`. `config_json` is a UTF-8 JSON object that
     * the host has validated against the descriptor's schema, defaults filled in. `host` is
     * the per-instance host. Must not do slow I/O (that belongs in start()). On success
     * *out is the new instance; on failure *out is untouched and `err` filled (KN_E_CONFIG
     * for bad settings). `config_json` is never NULL ("{}" when there are no settings). */
    kn_status_t (*create)(const struct kn_plugin_factory *factory, const kn_host_t *host,
                          const char *plugin_id, const char *config_json,
                          const kn_plugin_t **out, kn_error_t *err);
} kn_plugin_factory_t;

/* ======================================================================================
 * Module entry
 * ==================================================================================== */

typedef struct kn_module_entry {
    kn_version_t abi; /* KN_ABI_VERSION_INIT. Stays the first field in every major.      */
    /* [main] Once, before anything else. `module_path` is the .so's path. Fast, no network.
     * On failure fill `err`; the host refuses the module and shows the message. */
    kn_status_t (*init)(const kn_host_t *host, const char *module_path, kn_error_t *err);
    /* [main] Once, after every instance is destroyed. Nothing is called afterwards. */
    void (*deinit)(void);
    /* [any] The factory for `factory_id` (KN_PLUGIN_FACTORY_ID), or NULL. */
    const void *(*get_factory)(const char *factory_id);
} kn_module_entry_t;

/* The only exported symbol. A function, not a data symbol, because Swift (@_cdecl), Go
 * (//export) and Rust can all export functions. Returns a pointer to static storage. */
#define KN_ENTRY_SYMBOL "kinora_module_entry_v1"
typedef const kn_module_entry_t *(*kn_module_entry_fn)(void);
KN_EXPORT const kn_module_entry_t *kinora_module_entry_v1(void);

/* ======================================================================================
 * Interface ids. Each kind arrives with its own issue; reserved ids:
 *   "kinora.drm/1"       content keys and licence requests
 *   "kinora.cdn/1"       URL signing and purges
 *   "kinora.payment/1"   payment intents and webhook verification
 *   "kinora.notify/1"    delivery of notifications (mail, push, chat)
 * ==================================================================================== */

/* -------------------------------------------------------------------------------------
 * kinora.storage/1 — object storage: flat keys, whole-object writes, ranged reads.
 *
 * Keys are UTF-8 strings of 1..1024 bytes made of '/'-separated segments; a segment is
 * never empty, "." or "..", and a key never starts with '/' nor contains NUL or '\\'.
 * Every storage plugin MUST refuse any other key with KN_E_INVALID_ARGUMENT, so that no key
 * can escape the backend's namespace. A put is atomic: readers see the old object or the
 * new one, never a part; concurrent puts to one key leave one of them whole.
 * A backend on a hierarchical file system may refuse with KN_E_ALREADY_EXISTS a key that
 * is a '/'-prefix of an existing key ("a" beside "a/b") or the reverse; the host never
 * creates such pairs, so portable callers avoid them too.
 * ----------------------------------------------------------------------------------- */
#define KN_STORAGE_ID "kinora.storage/1"
#define KN_STORAGE_KEY_MAX 1024

typedef struct kn_object_info {
    const char *key;          /* the object's key                                          */
    int64_t size;             /* bytes                                                     */
    int64_t mtime_unix_ns;    /* last modification                                         */
    const char *etag;         /* opaque validator, changes when content changes; may be NULL */
    const char *content_type; /* as given to put(); may be NULL                             */
} kn_object_info_t;

typedef struct kn_object_list {
    const kn_object_info_t *items; /* `count` entries in ascending key order (bytewise)    */
    size_t count;
    const char *next_cursor;       /* pass to the next list() call; NULL when finished     */
} kn_object_list_t;

typedef struct kn_storage_v1 {
    /* [blocking-ok] Store the bytes of `body` under `key`, replacing any object there.
     * Reads `body` to its end; the new object becomes visible only when complete and
     * durable. `content_type` may be NULL.
     * result: const kn_object_info_t* of the stored object.
     * errors: INVALID_ARGUMENT (key), CANCELLED (reader failed or call cancelled; nothing is
     *         stored), NO_SPACE, PERMISSION, IO, UNAVAILABLE, TIMEOUT. */
    void (*put)(const kn_plugin_t *plugin, const kn_call_t *call, const char *key,
                const char *content_type, kn_reader_t body, kn_completion_t done);

    /* [blocking-ok] Write bytes [offset, offset+length) of the object to `sink`, then
     * complete. length = -1 means "to the end". A range past the end is clamped; an offset
     * past the end is INVALID_ARGUMENT. The info reports the WHOLE object.
     * result: const kn_object_info_t*.
     * errors: INVALID_ARGUMENT, NOT_FOUND, CANCELLED (sink refused), IO, UNAVAILABLE. */
    void (*get)(const kn_plugin_t *plugin, const kn_call_t *call, const char *key,
                int64_t offset, int64_t length, kn_writer_t sink, kn_completion_t done);

    /* [blocking-ok] Metadata only. result: const kn_object_info_t*.
     * errors: INVALID_ARGUMENT, NOT_FOUND, IO, UNAVAILABLE. */
    void (*stat)(const kn_plugin_t *plugin, const kn_call_t *call, const char *key,
                 kn_completion_t done);

    /* [blocking-ok] Delete the object. Removing a missing key is KN_OK (idempotent).
     * result: NULL. errors: INVALID_ARGUMENT, PERMISSION, IO, UNAVAILABLE. */
    void (*remove)(const kn_plugin_t *plugin, const kn_call_t *call, const char *key,
                   kn_completion_t done);

    /* [blocking-ok] Up to `limit` (1..1000) objects whose key starts with `prefix` (may be
     * "" for all), in ascending key order, starting after `cursor` (NULL for the first
     * page; otherwise a next_cursor from an earlier page of the same prefix).
     * result: const kn_object_list_t*.
     * errors: INVALID_ARGUMENT (bad cursor or limit), IO, UNAVAILABLE. */
    void (*list)(const kn_plugin_t *plugin, const kn_call_t *call, const char *prefix,
                 const char *cursor, uint32_t limit, kn_completion_t done);
} kn_storage_v1_t;

/* -------------------------------------------------------------------------------------
 * kinora.storage.presign/1 — optional: URLs that let a client fetch or upload an object
 * directly from the backend (S3 presigned URLs, CDN-signed URLs).
 * ----------------------------------------------------------------------------------- */
#define KN_STORAGE_PRESIGN_ID "kinora.storage.presign/1"
typedef struct kn_storage_presign_v1 {
    /* [any] Write a NUL-terminated URL for `method` ("GET" or "PUT") on `key`, valid for
     * `ttl_seconds`, into `url_buf`. No network I/O. errors: INVALID_ARGUMENT (key, method,
     * buffer too small: detail = bytes needed), UNSUPPORTED (not offered by this instance). */
    kn_status_t (*presign)(const kn_plugin_t *plugin, const char *key, const char *method,
                           int64_t ttl_seconds, char *url_buf, size_t cap, kn_error_t *err);
} kn_storage_presign_v1_t;

/* -------------------------------------------------------------------------------------
 * kinora.storage.localfile/1 — optional fast path for backends on a local file system:
 * the host opens the file itself and serves it (ranges, zero copies through the plugin).
 * A plugin offering it MUST replace objects by rename(), so a file the host has open stays
 * whole while a newer version is written.
 * ----------------------------------------------------------------------------------- */
#define KN_STORAGE_LOCALFILE_ID "kinora.storage.localfile/1"
typedef struct kn_storage_localfile_v1 {
    /* [any] Write the absolute path of `key`'s file into `path_buf` (NUL-terminated). Does
     * not check that it exists: the host's open() does. errors: INVALID_ARGUMENT (key, or
     * buffer too small: detail = bytes needed). */
    kn_status_t (*local_path)(const kn_plugin_t *plugin, const char *key, char *path_buf,
                              size_t cap, kn_error_t *err);
} kn_storage_localfile_v1_t;

/* -------------------------------------------------------------------------------------
 * kinora.packager/1 — manifests (HLS, DASH, ...) over CMAF segments already in storage.
 *
 * The host owns the media: it transcodes, writes one init segment and numbered media
 * segments per rendition through the storage plugin, and keeps an index of them. A packager
 * turns that index into manifest files; every packager describes the SAME segments, so one
 * copy in storage serves every protocol. Manifests use URIs relative to the manifest.
 *
 * The presentation arrives as a JSON object (documented fully in share/doc/plugins.md,
 * "Packager presentation"). Unknown keys must be ignored, so the host can add information
 * without a packager/2. What the daemon sends for a video with one caption track (a test
 * checks this sample against the daemon's encoding, key for key):
 *   {
 *     "video_id": "f3a9c0d2e4b6a8c0d2e4",
 *     "renditions": [
 *       { "id": "720p", "type": "video", "codecs": "avc1.64001f",
 *         "bandwidth": 2800000, "average_bandwidth": 2400000,
 *         "width": 1280, "height": 720, "frame_rate": 30.0, "passthrough": true,
 *         "timescale": 90000, "init": "720p/init.mp4",
 *         "segments": [ { "uri": "720p/seg-00001.m4s", "start": 0, "duration": 360000,
 *                         "size": 1234567, "iframe": { "offset": 0, "size": 45678 } } ] },
 *       { "id": "audio", "type": "audio", "codecs": "mp4a.40.2",
 *         "bandwidth": 130000, "average_bandwidth": 128000,
 *         "channels": 2, "sample_rate": 48000,
 *         "timescale": 48000, "init": "audio/init.mp4",
 *         "segments": [ { "uri": "audio/seg-00001.m4s", "start": 0, "duration": 192000,
 *                         "size": 64000, "iframe": { "offset": 0, "size": 1200 } } ] } ],
 *     "text_tracks": [
 *       { "id": "text-en", "language": "en", "label": "English", "default": false,
 *         "uri": "captions/en.vtt", "duration": 61.2, "size": 2048 } ],
 *     "protection": []
 *   }
 * `passthrough` is present on a video rendition copied from the source rather than encoded.
 * Packagers also accept, and the kit decodes: `language`, `label` and `default` on an audio
 * rendition; `size` and `iframe` may be absent; `protection` entries of the form
 *   { "scheme": "cenc"|"cbcs", "kid": "<32 hex>", "system_id": "<uuid>", "pssh": "<base64>",
 *     "license_url": "…", "hls_key_uri": "skd://…", "hls_keyformat": "…" }
 * (the daemon sends none yet).
 * `start` and `duration` are in `timescale` units; `iframe`, the byte range of the first
 * (key) frame's fragment within the segment, is present when the host knows it.
 * ----------------------------------------------------------------------------------- */
#define KN_PACKAGER_ID "kinora.packager/1"

typedef struct kn_manifest_file {
    const char *name;       /* relative path: "master.m3u8", "720p/media.m3u8", "manifest.mpd" */
    const char *media_type; /* "application/vnd.apple.mpegurl", "application/dash+xml", ...  */
    const uint8_t *data;    /* the file's bytes                                               */
    size_t size;
} kn_manifest_file_t;

typedef struct kn_manifest_set {
    const kn_manifest_file_t *files;
    size_t count;
    const char *entry;      /* the name players start from: "master.m3u8", "manifest.mpd"    */
} kn_manifest_set_t;

typedef struct kn_packager_v1 {
    /* [blocking-ok] Build the manifests for `presentation_json` (borrowed, UTF-8 JSON).
     * result: const kn_manifest_set_t*; the host stores the files under the video's folder
     * and serves them. Pure computation: no storage access, deterministic for one input.
     * errors: INVALID_ARGUMENT (malformed or inconsistent presentation: say which key),
     *         UNSUPPORTED (e.g. a protection scheme this packager cannot signal), NO_MEMORY. */
    void (*package)(const kn_plugin_t *plugin, const kn_call_t *call, const char *presentation_json,
                    kn_completion_t done);
} kn_packager_v1_t;

/* -------------------------------------------------------------------------------------
 * kinora.moderation/1 — classifiers for text and media.
 * ----------------------------------------------------------------------------------- */
#define KN_MODERATION_ID "kinora.moderation/1"
typedef struct kn_moderation_v1 {
    /* [blocking-ok] Classify the content read from `media`, whose MIME type is
     * `media_type` ("text/plain; charset=utf-8", "image/jpeg", "video/mp4", ...).
     * result: const char*, a JSON object:
     *   {"labels":[{"name":"profanity","score":0.93,"matches":["..."]}, ...]}
     * with scores in [0,1], highest first; an empty "labels" array means nothing found.
     * errors: UNSUPPORTED (media type not handled), INVALID_ARGUMENT (undecodable or too
     *         large input), the reader's own failure code (CANCELLED, IO), TIMEOUT,
     *         NO_MEMORY. */
    void (*classify)(const kn_plugin_t *plugin, const kn_call_t *call, const char *media_type,
                     kn_reader_t media, kn_completion_t done);
} kn_moderation_v1_t;

#ifdef __cplusplus
}
#endif

#endif /* KINORA_PLUGIN_H */
