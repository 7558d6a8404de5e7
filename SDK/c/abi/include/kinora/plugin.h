/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kinora/plugin.h — the Kinora plugin ABI, major version 1.
 *
 * Copyright 2025-2026 the Kinora maintainers. Licensed under the Apache License, Version 2.0
 * (the LICENSE file of the Kinora sources; /usr/share/common-licenses/Apache-2.0 on Debian).
 * Including this header and linking against the SDK places no condition on the plugin's own
 * license: a plugin may be distributed under any license its author chooses.
 *
 * This header is the whole contract between the Kinora daemon (the "host") and a plugin
 * module (a shared object, ".so"). Every rule a plugin must follow, and every promise the
 * host makes, is written here, next to the declaration it concerns; the guide
 * (share/doc/plugins.md) explains and shows, but adds no rule. It is plain C11 so that
 * plugins can be written in C, C++, Swift (@_cdecl), Rust (extern "C") or anything else that
 * can export a C function.
 *
 * ----------------------------------------------------------------------------------------
 * State tags
 * ----------------------------------------------------------------------------------------
 * Every function carries a tag "[THREAD & STATE]" saying on which thread it runs (or may be
 * called) and in which state of its module or instance. "[main & created]" reads: called on
 * the control thread, only while the instance is in state "created". "a|b" means either
 * state; a tag without "& STATE" means every state in which the object exists.
 *
 * Threads
 *   [main]        Functions the host calls: from the host's control thread, never concurrently
 *                 with another [main] call of the same module or its instances. May block
 *                 briefly (file or config I/O), never for long (no network round trips in
 *                 init() or create()). Successive [main] calls need not come from the same OS
 *                 thread: keep no thread-local state between them.
 *                 Functions the PLUGIN calls that are tagged [main] (register_metric): only
 *                 from inside one of its own [main] callbacks init(), create() or start(), on
 *                 the thread that callback runs on, with the kn_host_t of that module or
 *                 instance. Anywhere else the call may fail or be ignored.
 *   [any]         May be called from any thread, concurrently with anything. Must not block
 *                 for long (no network I/O; reading a small local file is the limit).
 *   [blocking-ok] Called on a host worker thread reserved for plugin calls; may block on
 *                 disk or network. Calls may run concurrently on one instance unless the
 *                 descriptor sets KN_PLUGIN_FLAG_SERIALIZE_CALLS. The pool is shared by every
 *                 instance ([plugins] worker_threads in kinora.toml, default 8), so a call
 *                 that never ends takes a worker away from everyone.
 *
 * States of a module
 *   loaded        dlopen() succeeded and kinora_module_entry_v1() returned the entry; only
 *                 init() may be called.
 *   initialized   init() succeeded; the factory and descriptors may be read, instances
 *                 created. Ends with deinit().
 * States of an instance (one kn_plugin_t)
 *   created       create() succeeded; start() has not run, or it failed. get_interface() may
 *                 be called; no operation is.
 *   started       start() succeeded; operations are called.
 *   stopped       the host accepts no new call for the instance (shutdown); stop() runs once
 *                 the calls in flight have completed or 10 seconds have passed. Only stop()
 *                 and destroy() remain.
 * An operation's own arguments (kn_call_t, readers, writers) live in the state
 *   in flight     from the operation function's entry until its completion is invoked.
 *
 * ----------------------------------------------------------------------------------------
 * Lifetime
 * ----------------------------------------------------------------------------------------
 *   dlopen (RTLD_NOW|RTLD_LOCAL|RTLD_NODELETE) -> kinora_module_entry_v1() -> init()
 *   -> get_factory() -> count(), get_descriptor() -> create() per instance
 *   -> get_interface() (the host checks the tables) -> start() -> ...operations...
 *   -> stop() -> destroy() -> deinit().
 * The host never dlclose()s a module: deinit() is the end of its life, and static data lives
 * as long as the process. Nothing is reloaded while the daemon runs.
 * A module may be loaded without any instance being created (`kinora plugin check` reads its
 * descriptors; `kinora config check` creates instances and destroys them without start()), and
 * a module that no configured instance names need not be loaded at all: init() and create()
 * must have no effect the daemon relies on, and slow work belongs in start().
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
 *   - The `result` and `err` pointers passed to a completion are the plugin's: the host copies
 *     what it needs during the completion call, so stack memory is fine.
 *   - Strings are UTF-8 and NUL-terminated. Byte runs are (pointer, length) pairs or
 *     kn_reader_t / kn_writer_t streams, so multi-gigabyte objects never sit in memory.
 *
 * Function pointers
 *   - No function pointer in a struct the plugin hands to the host may be NULL unless its
 *     comment says "optional" (in ABI 1.0 only kn_notify_v1_t's parse_callback and channel_info are): the module entry's init, deinit and
 *     get_factory; the factory's count, get_descriptor and create; the kn_plugin_t's start,
 *     stop, destroy and get_interface; and every operation of every interface table the
 *     plugin returns. The host checks the entry and the factory when it loads the module
 *     (a NULL one refuses the module; the message names the file and the field), and the
 *     instance's tables right after create() (a NULL one refuses the instance; the message
 *     names the interface and the field; destroy() is then called). A plugin that does not
 *     implement an operation points it at a function completing with KN_E_UNSUPPORTED.
 *   - Function pointers the host hands to the plugin (in kn_host_t, service tables,
 *     kn_call_t, readers, writers, completions) are never NULL.
 *
 * Errors
 *   - Functions return a kn_status_t (KN_OK or a negative KN_E_* code) and, on failure, fill
 *     a CALLER-OWNED kn_error_t with a human-readable message. Nothing throws, panics or
 *     longjmps across this boundary: a plugin catches its own exceptions. A crash in a plugin
 *     is a crash of the daemon.
 *   - The returned (or completed) status is what counts; err->code should repeat it.
 *   - Positive status codes are reserved. The host treats a positive code, like an unknown
 *     negative one, as KN_E_INTERNAL.
 *   - Write the message for an operator: name the object and what failed ("opening
 *     videos/abc: Permission denied"). An empty message is replaced by the status name
 *     (kn_status_string). Never put a secret into a message.
 *
 * The process is shared
 *   - Plugins run inside the daemon's process. Check every allocation, bound every buffer,
 *     and never abort(), assert() or exit() on input. C++ catches every exception at the
 *     boundary; Rust never unwinds across extern "C"; a Swift trap is a crash.
 *   - Leave process-wide state alone: signal handlers and masks, setlocale(), the working
 *     directory, umask, environment variables, resource limits, fork() without exec().
 *   - Modules are loaded RTLD_LOCAL and must never resolve each other's symbols: export the
 *     entry function only (-fvisibility=hidden, or a linker version script), link with
 *     -Wl,-z,defs, bundle private libraries statically with hidden visibility, and depend on
 *     system libraries by SONAME. A module carries its own language runtime (Swift:
 *     -static-stdlib): the daemon's runtime is not part of this ABI.
 *
 * Building a plugin (C), with the kinora-plugin-dev package installed:
 *   cc -std=c11 -shared -fPIC -fvisibility=hidden -Wl,-z,defs \
 *      $(pkg-config --cflags kinora-plugin) -o my-plugin.so my-plugin.c \
 *      $(pkg-config --libs kinora-plugin)
 *   and define the entry function (declared KN_EXPORT below). `kinora plugin check FILE` runs
 *   every load-time check; `kinora plugin conformance INSTANCE` runs the conformance suite of
 *   every interface an instance implements.
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

/* #defines rather than an enum so that Swift imports them as Int32 (= kn_status_t).
 * KN_OK is 0, failures are negative. Positive values are reserved: the host treats them, like
 * negative codes not listed here, as KN_E_INTERNAL. */
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

/* [any] A short English name for a status code ("not found"); never NULL. The host uses it
 * as the message of a failure reported without a kn_error_t or with an empty message. */
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

/* Caller-owned error report; no allocation crosses. Whenever the host passes a
 * `kn_error_t *err` to a plugin function (init, create, start, presign, local_path), it is
 * non-NULL and zeroed; the plugin fills it only on failure, and the host reads it only when
 * the function returned a failure. */
typedef struct kn_error {
    kn_status_t code;
    int32_t detail;                     /* optional: errno, HTTP status or vendor code; 0 */
    char message[KN_ERROR_MESSAGE_MAX]; /* UTF-8, NUL-terminated, may be truncated        */
} kn_error_t;

/* ======================================================================================
 * Call plumbing: context, completions, byte streams
 * ==================================================================================== */

/* Per-call context handed to every potentially slow operation. Borrowed: valid while the
 * call is in flight (until its completion is invoked). */
typedef struct kn_call {
    const char *request_id;   /* correlation id for logs; may be NULL                      */
    int64_t deadline_unix_ns; /* CLOCK_REALTIME deadline in ns; 0 = none. Past it, give up
                                 with KN_E_TIMEOUT.                                         */
    void *host_ctx;           /* host-private                                               */
    /* [any & in flight] Cheap; poll it in long loops and between network round trips, and
     * finish with KN_E_CANCELLED when it returns true (the request that made the call went
     * away). */
    bool (*is_cancelled)(const struct kn_call *call);
} kn_call_t;

/* Every slow operation reports through a completion.
 *   complete(ctx, status, err, result)   [any & in flight]
 * - It MUST be invoked exactly once per call, from any thread, possibly before the operation
 *   function returns (a plugin may simply do the work on the calling worker thread and
 *   complete inline). Invoking it ends the call: the call's arguments become invalid.
 * - A call never completed hangs the request that made it, holds a worker if the plugin
 *   blocks in it, and delays shutdown (see stop() and destroy()).
 * - A second invocation of the same completion is a plugin bug: the host ignores it and logs
 *   it once. It never crashes the host, and never changes the first outcome.
 * - status: KN_OK or a KN_E_* code (see "Errors" above).
 * - err: NULL when status is KN_OK (the host ignores it then). On failure it may be NULL
 *   too: the host then uses kn_status_string(status) as the message. The plugin owns it; it
 *   need live only during this call.
 * - result: documented per operation; ignored on failure. The plugin owns it and it need live
 *   only during this call: the host copies what it keeps before complete() returns. */
typedef struct kn_completion {
    void *ctx;
    void (*complete)(void *ctx, kn_status_t status, const kn_error_t *err, const void *result);
} kn_completion_t;

/* Pull stream: bytes flowing INTO the plugin (an upload, media to classify). Owned by the
 * host; valid while the call that received it is in flight. */
typedef struct kn_reader {
    void *ctx;
    /* [blocking-ok & in flight] Never NULL; call it from one thread at a time. Fills up to
     * `cap` bytes of `buf`, blocking until some arrive. Returns the count (1..cap), 0 at end
     * of stream, or a negative kn_status_t (KN_E_CANCELLED: the client went away; KN_E_IO).
     * A plugin passes a reader's failure code on as its own status. */
    int64_t (*read)(void *ctx, uint8_t *buf, size_t cap);
    int64_t size_hint; /* total bytes when known, else -1                                    */
    int fd;            /* optional fast path: a readable regular file positioned at 0, or -1.
                          Owned by the host: never close it. Use read() or the fd, not both. */
} kn_reader_t;

/* Push stream: bytes flowing OUT of the plugin (a download). Owned by the host; valid while
 * the call that received it is in flight. */
typedef struct kn_writer {
    void *ctx;
    /* [blocking-ok & in flight] Never NULL; call it from one thread at a time. Consumes all
     * `len` bytes or fails. May block while the consumer is slow (backpressure): send large
     * objects in chunks (1 MiB is fine), never the whole object at once. KN_E_CANCELLED:
     * the consumer went away; stop and complete with that code. */
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
 * instance (create), so that logs and metrics are tagged with the instance automatically:
 * use the per-instance one wherever you can. Every kn_host_t stays valid until the module's
 * deinit() returns, not just until destroy(). Keep the pointer; never free it. */
typedef struct kn_host {
    kn_version_t abi;     /* the host's ABI version                                        */
    void *host_data;      /* host-private                                                  */
    const char *name;     /* "kinora"                                                      */
    const char *version;  /* the daemon's version, e.g. "0.1.0"                           */
    const char *instance; /* instance name ("media" for plugins.d/media.toml: 1-64 letters,
                             digits, '-' or '_'); NULL for the module-level host given to
                             init()                                                       */
    /* [any] Never blocks. `msg` is borrowed, UTF-8. `level` is a KN_LOG_* value; `[log]
     * level` in kinora.toml filters lines, which carry the instance and module. Never pass
     * secrets to it. */
    void (*log)(const struct kn_host *host, int32_t level, const char *msg);
    /* [any] Returns the service's function table (`service_id` is a KN_HOST_*_ID), or NULL
     * when the host does not offer it: always check. The table stays valid as long as
     * `host`. */
    const void *(*get_service)(const struct kn_host *host, const char *service_id);
} kn_host_t;

/* -- metrics: exported by the host on /metrics, labelled with the plugin instance -------
 * Register in init(), create() or start(); record anywhere. A metric appears on /metrics
 * from its first record(). The host adds an `instance` label itself: do not use "instance"
 * as a label name. */
#define KN_HOST_METRICS_ID "kinora.host.metrics/1"
#define KN_METRIC_COUNTER   0
#define KN_METRIC_GAUGE     1
#define KN_METRIC_HISTOGRAM 2 /* seconds */
typedef struct kn_host_metrics_v1 {
    /* [main] Only from inside the module's init() or the instance's create() or start(),
     * with the kn_host_t that callback received (see "[main]" above).
     * Registers a metric of `kind` (KN_METRIC_*); `name` must match [a-z_][a-z0-9_]* and is
     * prefixed by the host with "kinora_plugin_"; label names match the same pattern.
     * `label_names` is NULL-terminated (may be NULL). Returns a handle, or 0 on failure (bad
     * name, kind clash with an earlier registration of the same name, or a call from outside
     * init(), create() or start(), which the host also logs once). */
    uint64_t (*register_metric)(const kn_host_t *host, int32_t kind, const char *name,
                                const char *help, const char *const *label_names);
    /* [any] Counter: adds `value`, truncated to a whole number. Gauge: sets it. Histogram:
     * records it (seconds). `label_values` has the same arity as the registration's label
     * names (NULL when there are none). A handle of 0 does nothing. */
    void (*record)(const kn_host_t *host, uint64_t metric, const char *const *label_values,
                   double value);
} kn_host_metrics_v1_t;

/* -- events: fire-and-forget notifications into the daemon's event bus ------------------
 * Events are tagged with the instance. A subscriber that falls behind loses the oldest
 * events: use them for notifications, never for data that must arrive. */
#define KN_HOST_EVENTS_ID "kinora.host.events/1"
typedef struct kn_host_events_v1 {
    /* [any] `topic` like "storage.object.removed"; `json` a JSON object, both borrowed.
     * KN_E_INVALID_ARGUMENT if `json` does not parse or is not an object. Never blocks. */
    kn_status_t (*emit)(const kn_host_t *host, const char *topic, const char *json);
} kn_host_events_v1_t;

/* -- secrets: values the operator keeps out of config files -----------------------------
 * There is no fixed list of secret names: a secret is whatever the operator stored under a
 * name, so let the operator choose it in your settings (`secret = "acme-api-key"`).
 * - Names are 1..128 bytes of [A-Za-z0-9._-], not starting with '.'. Any other name is
 *   reported as KN_E_NOT_FOUND, so no name can reach outside the secrets folders.
 * - The host looks first for the environment variable KINORA_SECRET_<NAME>: the name
 *   upper-cased, every character other than a letter or digit turned into '_' (so
 *   "acme-api-key" is KINORA_SECRET_ACME_API_KEY; "a.b", "a-b" and "a_b" share one
 *   variable). The environment is read once, when the daemon starts.
 * - Else the file <folder>/<name> in each folder of `[secrets] folders` in kinora.toml
 *   (default /etc/kinora/secrets), the first found winning. The file is read at each get():
 *   at most 64 KiB (a larger file is skipped), trailing "\n" and "\r" dropped.
 * - A value is bytes, not necessarily text, and may be empty.
 * Never log a secret, nor put it into an error message, an event, a metric label or a
 * result; clear buffers that held one once done. The host never logs secret values. */
#define KN_HOST_SECRETS_ID "kinora.host.secrets/1"
typedef struct kn_host_secrets_v1 {
    /* [any] May read a small file: call it in create() or start(), not on a hot path.
     * Copies the secret `name` into `buf` (not NUL-terminated) and sets *out_len to its
     * size. KN_E_NOT_FOUND if no such secret (or an invalid name); KN_E_INVALID_ARGUMENT
     * with *out_len = the size needed if `cap` is too small (call again with a bigger
     * buffer). */
    kn_status_t (*get)(const kn_host_t *host, const char *name, uint8_t *buf, size_t cap,
                       size_t *out_len);
} kn_host_secrets_v1_t;

/* Reserved for a later minor version, not offered by ABI 1.0 hosts (get_service returns
 * NULL): "kinora.host.http/1" (outbound HTTP through the host's proxy and TLS policy). */

/* ======================================================================================
 * Plugins, descriptors and factories
 * ==================================================================================== */

/* The host serializes every operation on an instance: it starts the next call only after the
 * previous one's completion (one call in flight at a time). Without it, calls run
 * concurrently and the plugin must be thread-safe. */
#define KN_PLUGIN_FLAG_SERIALIZE_CALLS (1u << 0)

/* Static description of one plugin. Lives until deinit() (use static storage). Checked when
 * the module loads; a bad descriptor refuses the whole module, naming the plugin id. */
typedef struct kn_plugin_descriptor {
    kn_version_t abi;               /* KN_ABI_VERSION_INIT (the major must be the host's)   */
    const char *id;                 /* reverse-DNS, unique, [a-z][a-z0-9._-]*, at most 128
                                       bytes: "org.acme.storage-x". Unique among all loaded
                                       modules: a second module offering an id is refused.
                                       "org.kinora.*" is the bundled plugins'.             */
    const char *name;               /* human name, mandatory                                */
    const char *vendor;             /* may be NULL                                          */
    const char *version;            /* the plugin's own version, e.g. "1.2.0"; may be NULL  */
    const char *description;        /* may be NULL                                          */
    const char *url;                /* may be NULL                                          */
    const char *const *interfaces;  /* NULL-terminated, non-empty: {"kinora.storage/1", NULL}.
                                       get_interface() answers each of these ids.          */
    /* JSON Schema of the instance settings (`[settings]` of plugins.d/<instance>.toml), or
     * NULL for "no settings" (a non-empty [settings] is then refused). The host checks the
     * schema when it loads the module (a mistake refuses the module, naming every problem
     * and its path, e.g. "properties.root.pattern"), then validates each instance's settings
     * and fills in defaults before create().
     * The supported subset of JSON Schema (draft 2020-12 semantics); the text must be one
     * JSON value, without duplicate keys:
     *   type              a name or a non-empty array of distinct names: "null", "boolean",
     *                     "integer", "number", "string", "array", "object". "number" accepts
     *                     integers; "integer" also accepts whole doubles (2.0, TOML's 1e6),
     *                     which reach the plugin as integers unless "number" is allowed too.
     *   properties        an object of subschemas.
     *   required          an array of distinct strings. With additionalProperties false, a
     *                     required name missing from properties is a schema error.
     *   additionalProperties  true, false or a schema. Absent means any key is allowed: set
     *                     false to catch misspelled settings.
     *   enum              a non-empty array; const: any value. Compared by value (1 == 1.0,
     *                     objects regardless of key order).
     *   minimum, maximum, exclusiveMinimum, exclusiveMaximum
     *                     numbers (the draft-04 boolean form of the exclusive keywords is
     *                     refused); minimum must not exceed maximum.
     *   minLength, maxLength  non-negative integers, counted in Unicode code points;
     *                     minLength must not exceed maxLength.
     *   pattern           a regular expression (Swift Regex syntax, which agrees with
     *                     ECMAScript for classes, quantifiers, groups, anchors, \d \w \s),
     *                     searched ANYWHERE in the string: anchor it (^...$) to match the
     *                     whole value. A pattern that does not compile is a schema error.
     *   items             one schema for every element (the array/tuple form is refused).
     *   minItems, maxItems  non-negative integers, min not above max.
     *   uniqueItems       a boolean; elements compared by value.
     *   default           must itself be valid against its schema. When a property with a
     *                     default is absent from an object, the host inserts the default
     *                     (and the defaults nested in it); it then counts as present for
     *                     required. A nested object gets its members' defaults only if it
     *                     exists: give it "default": {}.
     *   true / false      as a whole schema: accept everything / nothing.
     * Accepted and ignored: "$schema", "$id", "$comment", "title", "description", "format"
     * (these must be strings; "format" is not checked) and "examples" (an array). Every
     * other keyword ($ref, oneOf, anyOf, allOf, not, if, patternProperties, ...) is an error.
     * What create() then receives is described there. */
    const char *config_schema_json;
    uint64_t flags;                 /* KN_PLUGIN_FLAG_*                                     */
} kn_plugin_descriptor_t;

/* One configured instance of a plugin (one plugins.d/<instance>.toml). Allocated by the
 * plugin in create(), released by the plugin in destroy(). Its fields stay valid and
 * unchanged until destroy(). */
typedef struct kn_plugin {
    const kn_plugin_descriptor_t *desc;
    void *plugin_data; /* plugin-private */
    /* [main & created] Acquire resources, verify the backend (may do I/O: connect, create a
     * folder). Called once at most; `kinora config check` never calls it, `kinora plugin
     * list` calls it and then stops the instance. `err` is non-NULL and zeroed. On failure
     * fill `err` (KN_E_CONFIG for unusable settings): the instance is listed as failed
     * with that message, no operation is called, stop() is not called, and destroy() is
     * called right away. */
    kn_status_t (*start)(const struct kn_plugin *plugin, kn_error_t *err);
    /* [main & stopped] Called once, only for an instance whose start() succeeded, in reverse
     * order of start. The host first stops sending calls, then waits up to 10 seconds for
     * the calls in flight to complete, so that a stuck backend cannot block shutdown
     * forever. Normally no call is in flight when stop() runs. If some still are after the
     * 10 seconds, the host logs a warning (instance, count of calls) and calls stop()
     * anyway: make those calls finish (cancel requests, close connections) and return
     * without waiting for them forever. Their late completions are accepted and ignored;
     * their arguments stay valid until then. */
    void (*stop)(const struct kn_plugin *plugin);
    /* [main & created|stopped] Release everything, joining any thread or timer the plugin
     * started. Called exactly once for every instance whose create() succeeded, whether or
     * not start() ran or succeeded: after stop() for a started instance; directly when
     * start() failed, when it never ran (`kinora config check`), or when the host refused the
     * instance's tables after create(). No call is in flight: when calls were still stuck
     * after the 10-second shutdown wait (see stop()), destroy() is NOT called for that
     * instance, nor deinit() for its module; they stay in memory until the process exits.
     * `plugin` is invalid afterwards. */
    void (*destroy)(const struct kn_plugin *plugin);
    /* [any & created|started|stopped] The function table for `interface_id`
     * ("kinora.storage/1"), or NULL for an id the plugin does not implement. Returns the
     * same table for an id every time; the table stays valid and unchanged until destroy().
     * The host calls it right after create() for each id the descriptor lists and checks
     * that no operation in the table is NULL (see "Function pointers"). */
    const void *(*get_interface)(const struct kn_plugin *plugin, const char *interface_id);
} kn_plugin_t;

#define KN_PLUGIN_FACTORY_ID "kinora.plugin-factory/1"
typedef struct kn_plugin_factory {
    /* [any & initialized] Number of plugins the module provides: 1 to 999 (anything else
     * refuses the module). */
    uint32_t (*count)(const struct kn_plugin_factory *factory);
    /* [any & initialized] Descriptor `index` (0 ..< count), or NULL when out of range. Must
     * not return NULL for an index below count(). */
    const kn_plugin_descriptor_t *(*get_descriptor)(const struct kn_plugin_factory *factory,
                                                    uint32_t index);
    /* [main & initialized] Create an instance of `plugin_id` (one of this factory's ids).
     * `config_json` is never NULL: a compact UTF-8 JSON object with sorted keys that the
     * host has validated against the descriptor's schema, defaults filled in ("{}" when the
     * plugin takes no settings). TOML tables became objects, floats numbers, and dates and
     * times strings. `host` is the per-instance host (its `instance` is the instance name).
     * Checks the schema cannot express belong here: fail with KN_E_CONFIG and a message
     * that starts with the key ("settings.root: must be an absolute path").
     * Must not do slow I/O and must have no lasting effect (that belongs in start()):
     * `kinora config check` creates every instance and destroys it without starting it.
     * `err` is non-NULL and zeroed. On success *out is the new instance, state created; on
     * failure *out is untouched, `err` filled, the instance left out and nothing more of it
     * called. */
    kn_status_t (*create)(const struct kn_plugin_factory *factory, const kn_host_t *host,
                          const char *plugin_id, const char *config_json,
                          const kn_plugin_t **out, kn_error_t *err);
} kn_plugin_factory_t;

/* ======================================================================================
 * Module entry
 * ==================================================================================== */

typedef struct kn_module_entry {
    kn_version_t abi; /* KN_ABI_VERSION_INIT. Stays the first field in every major.      */
    /* [main & loaded] Once, before anything else. `host` is the module-level host
     * (instance == NULL). `module_path` is the .so's path. Fast, no network. `err` is
     * non-NULL and zeroed. On failure fill `err`: the host refuses the module and shows
     * "<file>: module init failed: <message>". deinit() is NOT called after a failed init()
     * (as in CLAP): init() releases whatever it acquired before failing. */
    kn_status_t (*init)(const kn_host_t *host, const char *module_path, kn_error_t *err);
    /* [main & initialized] Once, after every instance of the module is destroyed. Nothing
     * of the module is called afterwards. Not called after a failed init(). Called, right
     * away, for a module the host refused after a successful init() (no factory, a bad
     * descriptor, a duplicate id, a NULL function): what init() acquired is released, and
     * nothing more of the module is called. Not called when an instance of the module kept
     * calls in flight past the shutdown wait (see destroy()). */
    void (*deinit)(void);
    /* [any & initialized] The factory for `factory_id` (KN_PLUGIN_FACTORY_ID), or NULL for
     * any other id. Returns the same pointer every time, valid until deinit(). */
    const void *(*get_factory)(const char *factory_id);
} kn_module_entry_t;

/* The only exported symbol. A function, not a data symbol, because Swift (@_cdecl), Go
 * (//export) and Rust can all export functions. [main], before state loaded: returns a
 * pointer to static storage (the same every time), never NULL. The host reads `abi` first
 * and refuses a module whose major differs from KN_ABI_MAJOR. */
#define KN_ENTRY_SYMBOL "kinora_module_entry_v1"
typedef const kn_module_entry_t *(*kn_module_entry_fn)(void);
KN_EXPORT const kn_module_entry_t *kinora_module_entry_v1(void);

/* ======================================================================================
 * Interfaces defined by ABI 1.0, each with its table below:
 *   "kinora.storage/1"            object storage (the instance named by `[media] storage`
 *                                 in kinora.toml holds all media)
 *   "kinora.storage.presign/1"    optional beside storage: presigned URLs
 *   "kinora.storage.localfile/1"  optional beside storage: local file paths
 *   "kinora.packager/1"           manifests (HLS, DASH) over the host's segments
 *   "kinora.packager.growing/1"   optional beside packager: manifests of a video whose
 *                                 first rendition is still being made
 *   "kinora.moderation/1"         classifiers for text and media
 *   "kinora.moderation.feedback/1"  optional beside moderation: moderators' decisions, so
 *                                 a classifier can learn from them
 *   "kinora.notify/1"             delivery of notifications (mail, push, SMS, webhooks)
 * Reserved ids, with no table yet; the host calls none of them in ABI 1.0:
 *   "kinora.drm/1"       content keys and licence requests
 *   "kinora.cdn/1"       URL signing and purges
 *   "kinora.payment/1"   payment intents and webhook verification
 * Do not invent ids in the "kinora." namespace.
 * Every operation below is tagged [blocking-ok & started] or [any & started]: the host
 * calls operations only on a started instance (and lets calls already in flight finish
 * after it stopped sending new ones; see stop()).
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
 * Also refuse keys that are not valid UTF-8, and keep the plugin's own bookkeeping names
 * (temporary files, markers) out of reach of valid keys.
 * Order and prefixes are bytewise on the UTF-8 bytes (memcmp), never locale or Unicode
 * collation.
 * `kinora plugin conformance INSTANCE`, run on an instance whose bucket or folder is
 * empty, checks every rule of this interface against the real backend.
 * ----------------------------------------------------------------------------------- */
#define KN_STORAGE_ID "kinora.storage/1"
#define KN_STORAGE_KEY_MAX 1024

typedef struct kn_object_info {
    const char *key;          /* the object's key                                          */
    int64_t size;             /* bytes                                                     */
    int64_t mtime_unix_ns;    /* last modification                                         */
    const char *etag;         /* opaque validator, changes when content changes; may be NULL
                                 (the conformance suite expects one)                       */
    const char *content_type; /* as given to put(); may be NULL                             */
} kn_object_info_t;

typedef struct kn_object_list {
    const kn_object_info_t *items; /* `count` entries in ascending key order (bytewise)    */
    size_t count;
    const char *next_cursor;       /* pass to the next list() call; NULL when finished.
                                      Opaque to the host (the page's last key will do).    */
} kn_object_list_t;

typedef struct kn_storage_v1 {
    /* [blocking-ok & started] Store the bytes of `body` under `key`, replacing any object
     * there.
     * Reads `body` to its end; the new object becomes visible only when complete and
     * durable. `content_type` may be NULL; keep it and report it in the object's info.
     * When `body.read` fails, or the call is cancelled, nothing is stored and the previous
     * object, if any, is untouched.
     * result: const kn_object_info_t* of the stored object.
     * errors: INVALID_ARGUMENT (key), CANCELLED (reader failed or call cancelled; nothing is
     *         stored), NO_SPACE, PERMISSION, IO, UNAVAILABLE, TIMEOUT. */
    void (*put)(const kn_plugin_t *plugin, const kn_call_t *call, const char *key,
                const char *content_type, kn_reader_t body, kn_completion_t done);

    /* [blocking-ok & started] Write bytes [offset, offset+length) of the object to `sink`,
     * then complete. offset >= 0; length >= 0, or -1 meaning "to the end" (any other
     * negative value is INVALID_ARGUMENT). A range past the end is clamped. offset == size
     * is valid: nothing is written and the call completes with KN_OK (so an empty object
     * reads as zero bytes). offset > size is INVALID_ARGUMENT. The info reports the WHOLE
     * object, whatever the range.
     * result: const kn_object_info_t*.
     * errors: INVALID_ARGUMENT, NOT_FOUND, CANCELLED (sink refused), IO, UNAVAILABLE. */
    void (*get)(const kn_plugin_t *plugin, const kn_call_t *call, const char *key,
                int64_t offset, int64_t length, kn_writer_t sink, kn_completion_t done);

    /* [blocking-ok & started] Metadata only. result: const kn_object_info_t*.
     * errors: INVALID_ARGUMENT, NOT_FOUND, IO, UNAVAILABLE. */
    void (*stat)(const kn_plugin_t *plugin, const kn_call_t *call, const char *key,
                 kn_completion_t done);

    /* [blocking-ok & started] Delete the object. Removing a missing key is KN_OK
     * (idempotent).
     * result: NULL. errors: INVALID_ARGUMENT, PERMISSION, IO, UNAVAILABLE. */
    void (*remove)(const kn_plugin_t *plugin, const kn_call_t *call, const char *key,
                   kn_completion_t done);

    /* [blocking-ok & started] Up to `limit` (1..1000; anything else is INVALID_ARGUMENT)
     * objects whose key starts with `prefix` (bytewise; "" for all), in ascending bytewise
     * key order, starting after `cursor` (NULL for the first page; otherwise a next_cursor
     * from an earlier page of the same prefix). A page may hold fewer than `limit` items
     * and still have a next_cursor.
     * The prefix is not a key and need not end at a '/': "l/a" lists "l/a+", "l/a/b" and
     * "l/a0". Validate it so that no prefix can reach outside the namespace: when it
     * contains a '/', the part before its last '/' must be a valid key, else the call fails
     * with INVALID_ARGUMENT ("../", "/x", "a//b", "a/./" are refused; "a/", "a/b" and
     * "a/.." are valid). The bytes after the last '/' (a partial segment) and a prefix
     * without '/' are not checked: a prefix no key starts with simply lists nothing.
     * result: const kn_object_list_t*.
     * errors: INVALID_ARGUMENT (bad prefix, cursor or limit), IO, UNAVAILABLE. */
    void (*list)(const kn_plugin_t *plugin, const kn_call_t *call, const char *prefix,
                 const char *cursor, uint32_t limit, kn_completion_t done);
} kn_storage_v1_t;

/* -------------------------------------------------------------------------------------
 * kinora.storage.presign/1 — optional: URLs that let a client fetch or upload an object
 * directly from the backend (S3 presigned URLs, CDN-signed URLs). Offered beside
 * kinora.storage/1, by the same instance.
 *
 * Buffer results (presign and local_path below): the host passes a buffer of some size
 * (4096 bytes today) and a non-NULL, zeroed `err`. When the result (with its NUL) does
 * not fit, fail with KN_E_INVALID_ARGUMENT and set err->detail to the bytes needed,
 * NUL included: the host retries ONCE with a buffer of exactly that size (up to 1 MiB)
 * and reports a second failure as an error.
 * ----------------------------------------------------------------------------------- */
#define KN_STORAGE_PRESIGN_ID "kinora.storage.presign/1"
typedef struct kn_storage_presign_v1 {
    /* [any & started] Synchronous. Write a NUL-terminated URL for `method` ("GET" or "PUT")
     * on `key`, valid for `ttl_seconds`, into `url_buf` (`cap` bytes). No network I/O.
     * errors: INVALID_ARGUMENT (key, method, or buffer too small: detail = bytes needed, see
     * above), UNSUPPORTED (not set up on this instance). */
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
    /* [any & started] Synchronous. Write the absolute path of `key`'s file into `path_buf`
     * (`cap` bytes, NUL-terminated). Does not check that it exists: the host's open() does.
     * errors: INVALID_ARGUMENT (key, or buffer too small: detail = bytes needed, see
     * kinora.storage.presign/1 above). */
    kn_status_t (*local_path)(const kn_plugin_t *plugin, const char *key, char *path_buf,
                              size_t cap, kn_error_t *err);
} kn_storage_localfile_v1_t;

/* -------------------------------------------------------------------------------------
 * kinora.packager/1 — manifests (HLS, DASH, ...) over CMAF segments already in storage.
 *
 * The host owns the media: it transcodes, writes one init segment and numbered media
 * segments per rendition through the storage plugin, and keeps an index of them. A packager
 * turns that index into manifest files; every packager describes the SAME segments, so one
 * copy in storage serves every protocol.
 * Every started instance implementing this interface is called each time a video is
 * published, and again when its captions change. A video is playable through a protocol
 * only if a packager instance for that protocol is configured. The bundled
 * org.kinora.packager-hls and org.kinora.packager-dash run as the embedded instances
 * "hls" and "dash" only when there is no plugins.d/ folder; a plugins.d/ folder must name
 * its packager instances itself, and a configuration without any packager instance is
 * an error. A packager's failure fails the publication.
 *
 * The presentation arrives as a JSON object. Unknown keys must be ignored, so the host can
 * add information without a packager/2. What the daemon sends for a video with one English
 * 5.1 audio stream (kept as a stereo and a 5.1 rendition) and one caption track (a test
 * checks this sample against the daemon's encoding, key for key: it names every key the
 * daemon sends, and no other):
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
 *         "language": "en", "name": "English", "default": true, "group": "aac-2ch",
 *         "source_track": 0,
 *         "timescale": 48000, "init": "audio/init.mp4",
 *         "segments": [ { "uri": "audio/seg-00001.m4s", "start": 0, "duration": 192000,
 *                         "size": 64000, "iframe": { "offset": 0, "size": 1200 } } ] },
 *       { "id": "audio-en-6ch", "type": "audio", "codecs": "mp4a.40.2",
 *         "bandwidth": 390000, "average_bandwidth": 384000,
 *         "channels": 6, "sample_rate": 48000,
 *         "language": "en", "name": "English (5.1)", "default": true, "group": "aac-6ch",
 *         "source_track": 0,
 *         "timescale": 48000, "init": "audio-en-6ch/init.mp4",
 *         "segments": [ { "uri": "audio-en-6ch/seg-00001.m4s", "start": 0, "duration": 192000,
 *                         "size": 192000 } ] } ],
 *     "text_tracks": [
 *       { "id": "text-en", "language": "en", "label": "English", "default": false,
 *         "uri": "captions/en.vtt", "duration": 61.2, "size": 2048 } ],
 *     "protection": []
 *   }
 * The members:
 *   video_id          the video's id.
 *   renditions[]      id ("240p" ... "2160p", "audio"); type ("video" or "audio"); codecs
 *                     (RFC 6381); bandwidth (peak segment bit rate, bits/s);
 *                     average_bandwidth (bits/s over all segments); timescale (of the
 *                     init segment's track); init (the init segment's URI); segments[].
 *                     Video only: width, height, frame_rate; passthrough, present (true)
 *                     only on a rendition copied from the source rather than encoded
 *                     (informational: its segments follow the same rules).
 *                     Audio only: channels, sample_rate; and, each optional (issue 16's
 *                     contract; absent in presentations written before it):
 *                     language (BCP 47, lower-case primary subtag: "en", "pt-br"; "und"
 *                     when the source did not say), name (what a menu shows: "English",
 *                     "English (5.1)"), default (true on the one rendition of its group a
 *                     player picks first), group (one per codec and channel layout:
 *                     "aac-2ch", "aac-6ch", "ec3-6ch", "aac-8ch", "ec3-8ch"; absent means
 *                     "aac-2ch"). HLS writes an EXT-X-MEDIA group per `group`, each video
 *                     variant once per group, stereo first; DASH an AdaptationSet per
 *                     (group, language), Role "main" on the default, "alternate" otherwise.
 *                     source_track (which kept source stream, 0-based in file order, the
 *                     rendition was made from: a stream's stereo, 5.1 and 7.1 renditions
 *                     share it; informational, packagers may ignore it).
 *                     Ids stay unique: "audio" for a source's single stereo track, else
 *                     "audio-<language>", "audio-<language>-6ch", "audio-<language>-8ch"
 *                     (-2, -3 on a clash). language and name are the video owner's where
 *                     they relabelled the track (PUT /api/v1/videos/{id}/audio-tracks),
 *                     else the source's tags.
 *   segments[]        uri; start and duration (in `timescale` units, presentation time
 *                     from 0); size (bytes); iframe (offset and size of the byte range from
 *                     the segment start through the first key frame's sample), absent when
 *                     the host does not know it.
 *   text_tracks[]     id ("text-" + language); language; label; default (boolean); uri (a
 *                     WebVTT file, "captions/<language>.vtt"); duration (seconds, the
 *                     video's); size (bytes). An empty array for a video without captions.
 *                     Once the daemon has cut the file on the media's segment boundaries
 *                     (at every publish), also: vtt_segments (WebVTT files, each with an
 *                     X-TIMESTAMP-MAP header, for HLS) and mp4 (the same cues as fMP4
 *                     "wvtt" segments, ISO/IEC 14496-30, for DASH), each an object with
 *                     timescale (1000), segments[] (uri, start, duration, size) and, for
 *                     mp4, codecs ("wvtt") and init ("text-en/init.mp4").
 *   protection[]      how the video is encrypted. The daemon sends an empty array in this
 *                     version; an entry has "scheme" ("cenc" or "cbcs") and, each optional,
 *                     "kid" (32 hex digits), "system_id" (a UUID), "pssh" (base64),
 *                     "license_url", "hls_key_uri", "hls_keyformat". A packager that cannot
 *                     signal a scheme fails with UNSUPPORTED rather than omit it.
 * All URIs are relative to the video's folder. Manifests must use URIs relative to their
 * own location: a media playlist written as "720p/media.m3u8" names "seg-00001.m4s", not
 * "720p/seg-00001.m4s".
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
    /* [blocking-ok & started] Build the manifests for `presentation_json` (borrowed, UTF-8
     * JSON, described above).
     * result: const kn_manifest_set_t*. The host stores each file under the video's folder
     * at its `name` (a relative path made of valid key segments), with its media type, and
     * serves it at /streams/<video id>/<name>; players start from `entry`, one of the
     * files. Names are shared by every packager of the daemon: use the protocol's usual
     * names, which do not collide ("master.m3u8", "manifest.mpd").
     * Pure computation: no storage access, deterministic for one input.
     * errors: INVALID_ARGUMENT (malformed or inconsistent presentation: say which key),
     *         UNSUPPORTED (e.g. a protection scheme this packager cannot signal), NO_MEMORY. */
    void (*package)(const kn_plugin_t *plugin, const kn_call_t *call, const char *presentation_json,
                    kn_completion_t done);
} kn_packager_v1_t;

/* -------------------------------------------------------------------------------------
 * kinora.packager.growing/1 — optional beside kinora.packager/1, by the same instance:
 * manifests for a video that is still growing.
 *
 * So that an upload plays within seconds, the host publishes the first pass (the lowest
 * rendition and the audio) segment by segment while it is transcoded: each time every
 * rendition has one more whole segment in storage, it calls package_growing with the
 * presentation so far, which carries "complete": false beside the keys above. The manifests
 * must let a player start at the beginning and keep reloading until the video is complete
 * (HLS: EXT-X-PLAYLIST-TYPE:EVENT, EXT-X-START:TIME-OFFSET=0, no EXT-X-ENDLIST). Once the
 * first pass is done the host calls `package` (kinora.packager/1) as usual, whose manifests
 * replace these. A packager without this interface is not called until then, so its
 * protocol plays once the first pass is complete (the bundled DASH packager does so: a
 * dynamic MPD would send DASH players to the live edge, not to the start).
 * Segments only ever get appended between calls; renditions are not added or removed.
 * ----------------------------------------------------------------------------------- */
#define KN_PACKAGER_GROWING_ID "kinora.packager.growing/1"

typedef struct kn_packager_growing_v1 {
    /* [blocking-ok & started] As kn_packager_v1_t.package, for a presentation with
     * "complete": false. Same result, names and errors; write the same file names as
     * `package`, so the complete manifests replace the growing ones. */
    void (*package_growing)(const kn_plugin_t *plugin, const kn_call_t *call, const char *presentation_json,
                            kn_completion_t done);
} kn_packager_growing_v1_t;

/* -------------------------------------------------------------------------------------
 * kinora.moderation/1 — classifiers for text and media.
 * `kinora plugin classify INSTANCE [--type MIME] FILE|-` sends a file (or standard input)
 * to an instance and prints its result; `kinora plugin conformance INSTANCE` runs the
 * moderation suite. Text reaches the plugin as "text/plain; charset=utf-8".
 * ----------------------------------------------------------------------------------- */
#define KN_MODERATION_ID "kinora.moderation/1"
typedef struct kn_moderation_v1 {
    /* [blocking-ok & started] Classify the content read from `media`, whose MIME type is
     * `media_type` ("text/plain; charset=utf-8", "image/jpeg", "video/mp4", ...). Never log
     * the content itself.
     * result: const char*, a JSON object:
     *   {"labels":[{"name":"profanity","score":0.93,"matches":["..."]}, ...]}
     * with scores in [0,1], highest first; an empty "labels" array means nothing found.
     * "matches" is optional. Escape any text copied into it (it is JSON).
     * errors: UNSUPPORTED (media type not handled), INVALID_ARGUMENT (undecodable or too
     *         large input), the reader's own failure code (CANCELLED, IO), TIMEOUT,
     *         NO_MEMORY. */
    void (*classify)(const kn_plugin_t *plugin, const kn_call_t *call, const char *media_type,
                     kn_reader_t media, kn_completion_t done);
} kn_moderation_v1_t;

/* -------------------------------------------------------------------------------------
 * kinora.moderation.feedback/1 — optional beside kinora.moderation/1, by the same
 * instance: the decisions moderators take on the queue, so a classifier can learn from
 * them (a spam filter trained further on each "approve" and "remove").
 *
 * When a moderator decides an item of the moderation queue (POST
 * /api/v1/moderation/items/{id}/decision, or one item of a bulk decision), the host calls
 * `feedback` once on every instance named in `[moderation] classifiers` whose descriptor
 * lists this interface, whether or not that instance classified the item. Only items that
 * carry content are sent: a comment (its text) and a video (its words as they were classified:
 * the title, the description and the tags separated by spaces, one a line, empty ones left
 * out); a decision on an account is not. An instance without this interface is
 * not told anything, and a listed interface must be answered by get_interface().
 * The call is fire and forget: the decision is recorded and answered before (or while) the
 * plugin learns, the host never retries, and a failure or a timeout is only logged. The
 * call's deadline is 10 seconds after the decision.
 *
 * The decision's label, the `label` argument, is one of two strings, whatever the action:
 *   KN_FEEDBACK_CLEAN      "clean"      the action was "approve": the content is acceptable
 *                                       (for a spam filter: ham). A held comment approved
 *                                       was a false positive.
 *   KN_FEEDBACK_VIOLATION  "violation"  the action was "remove", "warn", "suspend" or "ban":
 *                                       the content broke a rule (for a spam filter: spam).
 * New actions will map to one of these two; a plugin needs no list of actions to learn.
 *
 * `decision_json` is a JSON object with the details. Unknown keys must be ignored, so the
 * host can add information without a feedback/2:
 *   { "action": "approve", "reason": "a joke among friends",
 *     "item_id": "m1f3a9c0d2", "target_type": "comment", "target_id": "c9e2b4a6d8",
 *     "labels": [ { "name": "spam", "score": 0.81 } ] }
 *   action       the moderator's action: "approve", "remove", "warn", "suspend", "ban".
 *   reason       the moderator's reason (free text, 1 to 500 characters).
 *   item_id      the queue item; target_type ("comment", "video") and target_id what it is
 *                about.
 *   labels       what THIS instance answered when the content was classified, as stored with
 *                the item (scores in [0,1]); an empty array when it did not classify the
 *                content or found nothing (an item put in the queue by reports).
 * `kinora plugin conformance INSTANCE` sends made-up feedback to the instance it creates
 * (a few short texts, with both labels): an instance that keeps what it learns in a file
 * should point at a scratch file when it is tested so.
 * ----------------------------------------------------------------------------------- */
#define KN_MODERATION_FEEDBACK_ID "kinora.moderation.feedback/1"
#define KN_FEEDBACK_CLEAN     "clean"
#define KN_FEEDBACK_VIOLATION "violation"

typedef struct kn_moderation_feedback_v1 {
    /* [blocking-ok & started] Learn from one decision on the content read from `content`,
     * whose MIME type is `media_type` (as for classify: text arrives as
     * "text/plain; charset=utf-8"). `label` is KN_FEEDBACK_CLEAN or KN_FEEDBACK_VIOLATION,
     * `decision_json` the details above (borrowed, UTF-8 JSON). The call's request_id is
     * the decision's request. Never log the content itself.
     * result: none (NULL).
     * errors: INVALID_ARGUMENT (a `label` other than the two, or `decision_json` that does
     *         not parse when the plugin reads it: the host always sends an object),
     *         UNSUPPORTED (media type not learnt from: the host logs it at debug level
     *         only), the reader's own failure code (CANCELLED, IO), TIMEOUT, IO (the plugin
     *         could not keep what it learnt), NO_MEMORY. */
    void (*feedback)(const kn_plugin_t *plugin, const kn_call_t *call, const char *media_type,
                     kn_reader_t content, const char *label, const char *decision_json,
                     kn_completion_t done);
} kn_moderation_feedback_v1_t;

/* -------------------------------------------------------------------------------------
 * kinora.notify/1 — a delivery channel for notifications: mail, Web Push, SMS, webhooks.
 *
 * Every started instance that implements this interface is a channel, named by its
 * instance name ("mail", "push", ...). The host decides who hears of what (preferences,
 * digests, quiet hours), renders the message from its templates, keeps it in an outbox and
 * calls `send` until the message is delivered or fails for good; the plugin only carries one
 * rendered message to its provider. Delivery is at least once: after a daemon killed
 * mid-call restarts, the host sends the same message again with the same `idempotency_key`,
 * so a plugin MUST pass that key on to its provider where the provider can deduplicate
 * (mail: the Message-ID "<KEY@domain>"; HTTP APIs: an Idempotency-Key header; webhooks: the
 * payload's id) and never invent a fresh one per attempt.
 *
 * The message, `message_json` (borrowed, UTF-8 JSON; unknown keys must be ignored):
 *   { "to": "alice@example.org",
 *     "to_name": "Alice",
 *     "subject": "New video from Studio: Night trains",
 *     "text": "…",                      plain text, always present
 *     "html": "<!doctype html>…",       optional
 *     "headers": { "List-Unsubscribe": "<https://…/unsubscribe/TOKEN>",
 *                  "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
 *     "idempotency_key": "video.published-v8k2-mail-u3f9",   [A-Za-z0-9._-], 1..200 bytes
 *     "event": "video.published",       the event's stable key
 *     "language": "en",
 *     "data": { "video_id": "…", "url": "https://…" } }   the event's ids and links
 *   to       the recipient's address for this channel's `address_kind()`: a mail address
 *            ("email"), an E.164 phone number ("phone"), a Web Push subscription as a JSON
 *            object {"endpoint", "keys": {"p256dh", "auth"}} ("webpush"), or absent when the
 *            plugin delivers to one place of its own settings ("none": a webhook URL).
 *   headers  to add to a mail (and ignored by channels that have none); security mail
 *            (password reset, new sign-in) carries no List-Unsubscribe.
 *
 * The outcome, `send`'s result when it completes with KN_OK (const char*, a JSON object):
 *   { "outcome": "delivered", "provider_id": "…" }                provider_id optional
 *   { "outcome": "retryable", "reason": "421 try later", "retry_after_seconds": 30 }
 *   { "outcome": "permanent", "reason": "550 no such user", "address_gone": true }
 *   delivered     the provider accepted the message.
 *   retryable     not now (a 4xx mail reply, HTTP 429 or 5xx, a connection refused); the host
 *                 retries with exponential backoff and jitter, no sooner than
 *                 retry_after_seconds when given.
 *   permanent     never (a 5xx mail reply, HTTP 4xx other than 408 and 429); recorded and
 *                 shown to admins. "address_gone": true tells the host to forget the address
 *                 (a Web Push subscription answered 404 or 410).
 * A call that completes with a failure status counts as retryable, except
 * KN_E_INVALID_ARGUMENT (the message cannot be sent as it is: permanent).
 *
 * Delivery-status callbacks: a provider that reports later (an SMS gateway's status
 * callback) posts to POST /api/v1/notify/callbacks/{instance}; the host hands the request to
 * `parse_callback` when the instance has one, and answers 404 otherwise.
 * `kinora plugin conformance INSTANCE` sends made-up messages to the instance it creates:
 * point the instance at a test peer when it is tested so.
 * ----------------------------------------------------------------------------------- */
#define KN_NOTIFY_ID "kinora.notify/1"
#define KN_NOTIFY_DELIVERED "delivered"
#define KN_NOTIFY_RETRYABLE "retryable"
#define KN_NOTIFY_PERMANENT "permanent"

typedef struct kn_notify_v1 {
    /* [any & started] The kind of address this channel delivers to: "email", "phone",
     * "webpush" or "none" (static storage, the same every time). The host asks once, after
     * start(), and only sends a user messages on a channel whose address it knows. */
    const char *(*address_kind)(const kn_plugin_t *plugin);

    /* [blocking-ok & started] Deliver one message (above). The call's request_id is the
     * message's idempotency key; its deadline, 60 seconds after the attempt began. Never log
     * the message's text, html or address in full (a password-reset link is a secret).
     * result: const char*, the outcome object above.
     * errors: INVALID_ARGUMENT (a message that cannot be sent as it is), CANCELLED, TIMEOUT,
     *         NO_MEMORY; any other failure is better reported as a "retryable" outcome with
     *         its reason. */
    void (*send)(const kn_plugin_t *plugin, const kn_call_t *call, const char *message_json,
                 kn_completion_t done);

    /* [blocking-ok & started] Optional (NULL when the provider calls nothing back): verify
     * and read a delivery-status callback. `request_json` (borrowed):
     *   { "url": "https://kinora.example/api/v1/notify/callbacks/sms?key=…",  the public URL,
 *                                                        with the query string as received
     *     "method": "POST",
     *     "headers": { "content-type": "…", "x-twilio-signature": "…" },  lower-case names
     *     "body": "MessageSid=SM1&MessageStatus=delivered" }               UTF-8 text
     * result: const char*, a JSON object:
     *   { "provider_id": "SM1", "status": "delivered" | "failed" | "pending",
     *     "reason": "…" }
     * errors: PERMISSION (the signature does not verify: the host answers 403 and records
     *         nothing), INVALID_ARGUMENT (a callback it cannot read: 400). */
    void (*parse_callback)(const kn_plugin_t *plugin, const kn_call_t *call, const char *request_json,
                           kn_completion_t done);

    /* [any & started] Optional (NULL when the channel has nothing to tell clients): a JSON
     * object (static or instance storage, valid until stop()) that the host hands to the web
     * UI and API clients as they set up this channel, e.g. Web Push's VAPID public key:
     *   { "application_server_key": "BLc4xRzKlKORKWlbdgFaBrrPK3ydWAHo4M0gs0i1oEKgPpWC5cW8OCzVrOQRv-1npXRWk8udnW3oqIEhk8Lh5jo" }
     * Public values only: the host serves it to any signed-in account. */
    const char *(*channel_info)(const kn_plugin_t *plugin);
} kn_notify_v1_t;

#ifdef __cplusplus
}
#endif

#endif /* KINORA_PLUGIN_H */
