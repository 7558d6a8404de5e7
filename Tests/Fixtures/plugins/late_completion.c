/* A storage plugin that completes stat and get from its own thread after the operation
 * function has returned, as an asynchronous backend would. The host must keep the key, the
 * call and the writer valid until the completion. */
#define _POSIX_C_SOURCE 200809L
#include <kinora/plugin.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct job {
    const char *key;
    kn_writer_t sink;
    int is_get;
    kn_completion_t done;
} job_t;

static void *run_job(void *arg) {
    job_t *job = arg;
    struct timespec pause = { 0, 20 * 1000 * 1000 };
    nanosleep(&pause, NULL); /* well after the operation function returned */
    kn_object_info_t info = { job->key, 5, 0, "\"late\"", NULL };
    kn_status_t status = KN_OK;
    if (job->is_get) status = job->sink.write(job->sink.ctx, (const uint8_t *)"hello", 5);
    job->done.complete(job->done.ctx, status, NULL, status == KN_OK ? &info : NULL);
    free(job);
    return NULL;
}

static void start_job(const char *key, kn_writer_t sink, int is_get, kn_completion_t done) {
    job_t *job = malloc(sizeof *job);
    pthread_t thread;
    if (!job) { done.complete(done.ctx, KN_E_NO_MEMORY, NULL, NULL); return; }
    job->key = key; /* borrowed until the completion: no copy on purpose */
    job->sink = sink;
    job->is_get = is_get;
    job->done = done;
    if (pthread_create(&thread, NULL, run_job, job) != 0) {
        free(job);
        done.complete(done.ctx, KN_E_UNAVAILABLE, NULL, NULL);
        return;
    }
    pthread_detach(thread);
}

static void op_stat(const kn_plugin_t *p, const kn_call_t *call, const char *key, kn_completion_t done) {
    (void)p; (void)call;
    kn_writer_t none = { 0 };
    start_job(key, none, 0, done);
}

static void op_get(const kn_plugin_t *p, const kn_call_t *call, const char *key, int64_t offset, int64_t length,
                   kn_writer_t sink, kn_completion_t done) {
    (void)p; (void)call; (void)offset; (void)length;
    start_job(key, sink, 1, done);
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

static void op_list(const kn_plugin_t *p, const kn_call_t *call, const char *prefix, const char *cursor,
                    uint32_t limit, kn_completion_t done) {
    (void)p; (void)call; (void)prefix; (void)cursor; (void)limit;
    done.complete(done.ctx, KN_E_UNSUPPORTED, NULL, NULL);
}

static const kn_storage_v1_t storage = { op_put, op_get, op_stat, op_remove, op_list };
static const char *const interfaces[] = { KN_STORAGE_ID, NULL };
static const kn_plugin_descriptor_t descriptor = {
    KN_ABI_VERSION_INIT, "org.kinora.test.late-completion", "Late completion test plugin", "Kinora tests", "1.0.0",
    NULL, NULL, interfaces, NULL, 0,
};

static kn_status_t start(const kn_plugin_t *p, kn_error_t *err) { (void)p; (void)err; return KN_OK; }
static void stop(const kn_plugin_t *p) { (void)p; }
static void destroy(const kn_plugin_t *p) { free((void *)p); }
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
    (void)f; (void)host; (void)id; (void)config; (void)err;
    kn_plugin_t *plugin = calloc(1, sizeof *plugin);
    if (!plugin) return KN_E_NO_MEMORY;
    plugin->desc = &descriptor;
    plugin->start = start;
    plugin->stop = stop;
    plugin->destroy = destroy;
    plugin->get_interface = get_interface;
    *out = plugin;
    return KN_OK;
}

static const kn_plugin_factory_t factory = { count, get_descriptor, create };
static kn_status_t init(const kn_host_t *h, const char *path, kn_error_t *err) { (void)h; (void)path; (void)err; return KN_OK; }
static void deinit(void) {}
static const void *get_factory(const char *id) { return strcmp(id, KN_PLUGIN_FACTORY_ID) == 0 ? &factory : NULL; }
static const kn_module_entry_t entry = { KN_ABI_VERSION_INIT, init, deinit, get_factory };

KN_EXPORT const kn_module_entry_t *kinora_module_entry_v1(void) { return &entry; }
