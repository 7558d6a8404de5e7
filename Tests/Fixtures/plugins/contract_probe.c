/* A storage plugin that breaks the ABI's rules on purpose, so the tests can check that the host
 * does what plugin.h promises. Every lifecycle call it receives is appended, one word a line,
 * to "<module path>.log", so a test reads which of init/create/start/stop/destroy/deinit ran.
 *
 * Built once per behaviour with -D:
 *   PROBE_FAIL_INIT    init() fails          PROBE_FAIL_START   start() fails
 *   PROBE_NULL_LIST    storage `list` NULL   PROBE_NULL_DEINIT  kn_module_entry_t.deinit NULL
 * stat(key) misbehaves according to the key:
 *   "twice"    completes OK (info key "first"), then again with KN_E_IO
 *   "positive" completes with the reserved status 5 and a NULL err
 *   "unknown"  completes with -99, a code no header defines, and a NULL err
 *   "null-err" completes with KN_E_NOT_FOUND and a NULL err
 *   "late"     returns without completing; a thread completes once the test creates
 *              "<module path>.log.release" (so "late" means after whatever the test did first),
 *              reading the key then
 *   "metric"   calls register_metric, which is [main], from an operation (logs "metric-call ok|refused")
 * With PROBE_METRICS, create() and start() call register_metric too, where it is allowed
 * ("metric-create ok|refused", "metric-start ok|refused").
 *   other keys complete OK at once. */
#define _POSIX_C_SOURCE 200809L
#include <kinora/plugin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char log_path[4096];
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void record(const char *event, const char *detail) {
    pthread_mutex_lock(&log_lock);
    FILE *file = fopen(log_path, "a");
    if (file) {
        if (detail) fprintf(file, "%s %s\n", event, detail);
        else fprintf(file, "%s\n", event);
        fclose(file);
    }
    pthread_mutex_unlock(&log_lock);
}

typedef struct late_job {
    const char *key; /* borrowed until the completion: the host must keep it valid */
    kn_completion_t done;
} late_job_t;

static void *complete_late(void *arg) {
    late_job_t *job = arg;
    char release[sizeof log_path + 16];
    snprintf(release, sizeof release, "%s.release", log_path);
    struct timespec pause = { 0, 10 * 1000 * 1000 };
    for (int i = 0; i < 60000; i++) { /* at most 10 minutes: a failed test leaves no thread forever */
        FILE *file = fopen(release, "r");
        if (file) { fclose(file); break; }
        nanosleep(&pause, NULL);
    }
    kn_object_info_t info = { job->key, 1, 0, NULL, NULL };
    record("late-completing", job->key);
    job->done.complete(job->done.ctx, KN_OK, NULL, &info);
    record("late-completed", NULL);
    free(job);
    return NULL;
}

/* Registers a counter through the instance's host; records whether the host accepted it. */
static void try_metric(const kn_host_t *host, const char *event, const char *name) {
    const kn_host_metrics_v1_t *metrics = host->get_service(host, KN_HOST_METRICS_ID);
    uint64_t handle = metrics ? metrics->register_metric(host, KN_METRIC_COUNTER, name, "probe", NULL) : 0;
    record(event, handle ? "ok" : "refused");
}

static void op_stat(const kn_plugin_t *p, const kn_call_t *call, const char *key, kn_completion_t done) {
    (void)call;
    kn_object_info_t info = { key, 1, 0, NULL, NULL };
    if (strcmp(key, "metric") == 0) {
        try_metric(p->plugin_data, "metric-call", "probe_late_total");
        done.complete(done.ctx, KN_OK, NULL, &info);
    } else if (strcmp(key, "twice") == 0) {
        kn_object_info_t first = { "first", 1, 0, NULL, NULL };
        kn_error_t err = { KN_E_IO, 0, "second completion" };
        done.complete(done.ctx, KN_OK, NULL, &first);
        done.complete(done.ctx, KN_E_IO, &err, NULL);
        record("completed-twice", NULL);
    } else if (strcmp(key, "positive") == 0) {
        done.complete(done.ctx, 5, NULL, NULL);
    } else if (strcmp(key, "unknown") == 0) {
        done.complete(done.ctx, -99, NULL, NULL);
    } else if (strcmp(key, "null-err") == 0) {
        done.complete(done.ctx, KN_E_NOT_FOUND, NULL, NULL);
    } else if (strcmp(key, "late") == 0) {
        late_job_t *job = malloc(sizeof *job);
        pthread_t thread;
        if (!job) { done.complete(done.ctx, KN_E_NO_MEMORY, NULL, NULL); return; }
        job->key = key;
        job->done = done;
        if (pthread_create(&thread, NULL, complete_late, job) != 0) {
            free(job);
            done.complete(done.ctx, KN_E_UNAVAILABLE, NULL, NULL);
            return;
        }
        pthread_detach(thread);
        record("holding", key);
    } else {
        done.complete(done.ctx, KN_OK, NULL, &info);
    }
}

static void op_get(const kn_plugin_t *p, const kn_call_t *call, const char *key, int64_t offset, int64_t length,
                   kn_writer_t sink, kn_completion_t done) {
    (void)p; (void)call; (void)key; (void)offset; (void)length; (void)sink;
    done.complete(done.ctx, KN_E_UNSUPPORTED, NULL, NULL);
}

static void op_put(const kn_plugin_t *p, const kn_call_t *call, const char *key, const char *type, kn_reader_t body,
                   kn_completion_t done) {
    (void)p; (void)call; (void)key; (void)type; (void)body;
    done.complete(done.ctx, KN_E_UNSUPPORTED, NULL, NULL);
}

static void op_remove(const kn_plugin_t *p, const kn_call_t *call, const char *key, kn_completion_t done) {
    (void)p; (void)call; (void)key;
    done.complete(done.ctx, KN_E_UNSUPPORTED, NULL, NULL);
}

#ifndef PROBE_NULL_LIST
static void op_list(const kn_plugin_t *p, const kn_call_t *call, const char *prefix, const char *cursor,
                    uint32_t limit, kn_completion_t done) {
    (void)p; (void)call; (void)prefix; (void)cursor; (void)limit;
    done.complete(done.ctx, KN_E_UNSUPPORTED, NULL, NULL);
}
#define LIST op_list
#else
#define LIST NULL
#endif

static const kn_storage_v1_t storage = { op_put, op_get, op_stat, op_remove, LIST };
static const char *const interfaces[] = { KN_STORAGE_ID, NULL };
static const kn_plugin_descriptor_t descriptor = {
    KN_ABI_VERSION_INIT, "org.kinora.test.contract-probe", "Contract probe", "Kinora tests", "1.0.0",
    NULL, NULL, interfaces, NULL, 0,
};

static kn_status_t start(const kn_plugin_t *p, kn_error_t *err) {
    record("start", NULL);
#ifdef PROBE_METRICS
    try_metric(p->plugin_data, "metric-start", "probe_started_total");
#endif
#ifdef PROBE_FAIL_START
    err->code = KN_E_UNAVAILABLE;
    snprintf(err->message, sizeof err->message, "backend unreachable");
    return KN_E_UNAVAILABLE;
#else
    (void)err;
    return KN_OK;
#endif
}
static void stop(const kn_plugin_t *p) { (void)p; record("stop", NULL); }
static void destroy(const kn_plugin_t *p) {
    record("destroy", NULL);
    free((void *)p);
}
static const void *get_interface(const kn_plugin_t *p, const char *id) {
    (void)p;
    return strcmp(id, KN_STORAGE_ID) == 0 ? &storage : NULL;
}

static uint32_t count(const kn_plugin_factory_t *f) { (void)f; return 1; }
static const kn_plugin_descriptor_t *get_descriptor(const kn_plugin_factory_t *f, uint32_t i) {
    (void)f;
    return i == 0 ? &descriptor : NULL;
}
static kn_status_t create(const kn_plugin_factory_t *f, const kn_host_t *host, const char *id, const char *config,
                          const kn_plugin_t **out, kn_error_t *err) {
    (void)f; (void)id; (void)config; (void)err;
    kn_plugin_t *plugin = calloc(1, sizeof *plugin);
    if (!plugin) return KN_E_NO_MEMORY;
    plugin->plugin_data = (void *)host; /* valid until deinit */
    plugin->desc = &descriptor;
    plugin->start = start;
    plugin->stop = stop;
    plugin->destroy = destroy;
    plugin->get_interface = get_interface;
    *out = plugin;
    record("create", NULL);
#ifdef PROBE_METRICS
    try_metric(host, "metric-create", "probe_created_total");
#endif
    return KN_OK;
}

static const kn_plugin_factory_t factory = { count, get_descriptor, create };

static kn_status_t init(const kn_host_t *h, const char *path, kn_error_t *err) {
    (void)h;
    snprintf(log_path, sizeof log_path, "%s.log", path);
    record("init", NULL);
#ifdef PROBE_FAIL_INIT
    snprintf(err->message, sizeof err->message, "licence missing");
    return KN_E_CONFIG;
#else
    (void)err;
    return KN_OK;
#endif
}
static const void *get_factory(const char *id) { return strcmp(id, KN_PLUGIN_FACTORY_ID) == 0 ? &factory : NULL; }
#ifdef PROBE_NULL_DEINIT
static const kn_module_entry_t entry = { KN_ABI_VERSION_INIT, init, NULL, get_factory };
#else
static void deinit(void) { record("deinit", NULL); }
static const kn_module_entry_t entry = { KN_ABI_VERSION_INIT, init, deinit, get_factory };
#endif

KN_EXPORT const kn_module_entry_t *kinora_module_entry_v1(void) { return &entry; }
