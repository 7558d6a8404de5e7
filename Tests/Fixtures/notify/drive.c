/*
 * drive — runs a kinora.notify/1 plugin module without the daemon: dlopen()s it the way the
 * host does, calls kinora_module_entry_v1, init(), create() with the given settings, start(),
 * then send() for every message read from stdin, and prints each outcome as a JSON line.
 *
 *   drive MODULE.so PLUGIN_ID SETTINGS_JSON [-n ROUNDS] [-t THREADS] [-s MS] [-p] [-q] < messages.jsonl
 *
 * Each stdin line is one message_json; "{i}" in it becomes the message's index, so one line
 * sent with -n 1000 is a thousand different messages. -t sends from that many threads at
 * once (the host's worker pool); -s waits MS milliseconds before each call after the first
 * (idle connections); -p hands each line to parse_callback instead of send.
 * stdout: one line per message, in index order:
 *   {"i":0,"status":0,"result":{"outcome":"delivered"}}
 *   {"i":1,"status":-1,"error":"message.to: missing"}
 * stderr: "address_kind: K", "channel_info: {...}" when the instance has one, the plugin's
 * log lines, then {"sent":N,"seconds":S,"per_second":R}.
 * A failed create() prints {"create_status":C,"error":"..."} on stdout and exits 3; a failed
 * start() exits 4. Secrets (kinora.host.secrets/1) come from KINORA_SECRET_<NAME>, as in
 * the daemon. Exit status 0 when every call completed exactly once.
 *
 * Build: cc -std=c11 -O2 -Wall -Wextra -I SDK/c/abi/include -o drive drive.c -pthread
 */
#define _GNU_SOURCE
#include <kinora/plugin.h>

#include <ctype.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static bool g_quiet;
static pthread_mutex_t g_log_mu = PTHREAD_MUTEX_INITIALIZER;

static void host_log(const kn_host_t *host, int32_t level, const char *msg) {
    static const char *const names[] = {"trace", "debug", "info", "warn", "error"};
    if (g_quiet && level < KN_LOG_INFO) return;
    pthread_mutex_lock(&g_log_mu);
    fprintf(stderr, "[%s] %s: %s\n", level >= 0 && level <= 4 ? names[level] : "?",
            host->instance ? host->instance : "(module)", msg);
    pthread_mutex_unlock(&g_log_mu);
}

/* KINORA_SECRET_<NAME>: upper-cased, anything but letters and digits as '_'. */
static kn_status_t secret_get(const kn_host_t *host, const char *name, uint8_t *buf, size_t cap, size_t *out_len) {
    (void)host;
    char var[160] = "KINORA_SECRET_";
    size_t n = strlen(var);
    for (const char *p = name; *p && n + 1 < sizeof var; p++)
        var[n++] = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
    var[n] = '\0';
    const char *v = getenv(var);
    if (!v) return KN_E_NOT_FOUND;
    *out_len = strlen(v);
    if (*out_len > cap) return KN_E_INVALID_ARGUMENT;
    memcpy(buf, v, *out_len);
    return KN_OK;
}

static const kn_host_secrets_v1_t g_secrets = {secret_get};

static const void *host_service(const kn_host_t *host, const char *id) {
    (void)host;
    return strcmp(id, KN_HOST_SECRETS_ID) == 0 ? &g_secrets : NULL;
}

static const kn_host_t g_module_host = {KN_ABI_VERSION_INIT, NULL, "kinora", "drive", NULL, host_log, host_service};
static const kn_host_t g_instance_host = {KN_ABI_VERSION_INIT, NULL, "kinora", "drive", "notify", host_log,
                                          host_service};

/* One call: its completion and what it reported. */
typedef struct {
    char *message;
    kn_call_t call;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int completions;
    kn_status_t status;
    char *result, *error;
} slot;

static void on_complete(void *ctx, kn_status_t status, const kn_error_t *err, const void *result) {
    slot *s = ctx;
    pthread_mutex_lock(&s->mu);
    if (s->completions++ == 0) {
        s->status = status;
        if (status == KN_OK && result) s->result = strdup(result);
        if (status != KN_OK) s->error = strdup(err && err->message[0] ? err->message : kn_status_string(status));
    }
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

static bool never_cancelled(const kn_call_t *call) {
    (void)call;
    return false;
}

static const kn_plugin_t *g_plugin;
static const kn_notify_v1_t *g_notify;
static slot *g_slots;
static size_t g_count;
static atomic_size_t g_next;
static bool g_callbacks;
static long g_sleep_ms;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *worker(void *unused) {
    (void)unused;
    for (;;) {
        size_t i = atomic_fetch_add(&g_next, 1);
        if (i >= g_count) return NULL;
        slot *s = &g_slots[i];
        if (i && g_sleep_ms) nanosleep(&(struct timespec){g_sleep_ms / 1000, (g_sleep_ms % 1000) * 1000000L}, NULL);
        s->call = (kn_call_t){NULL, now_ns() + 60 * (int64_t)1000000000, NULL, never_cancelled};
        kn_completion_t done = {s, on_complete};
        if (g_callbacks) g_notify->parse_callback(g_plugin, &s->call, s->message, done);
        else g_notify->send(g_plugin, &s->call, s->message, done);
        pthread_mutex_lock(&s->mu);
        while (s->completions == 0) pthread_cond_wait(&s->cv, &s->mu);
        pthread_mutex_unlock(&s->mu);
    }
}

static void print_json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

/* The template with every "{i}" replaced by the index. */
static char *instantiate(const char *tmpl, size_t index) {
    char num[32];
    int nl = snprintf(num, sizeof num, "%zu", index);
    size_t cap = strlen(tmpl) + 1, count = 0;
    for (const char *p = strstr(tmpl, "{i}"); p; p = strstr(p + 3, "{i}")) count++;
    cap += count * (size_t)nl;
    char *out = malloc(cap), *o = out;
    if (!out) return NULL;
    for (const char *p = tmpl; *p;) {
        if (strncmp(p, "{i}", 3) == 0) memcpy(o, num, (size_t)nl), o += nl, p += 3;
        else *o++ = *p++;
    }
    *o = '\0';
    return out;
}

int main(int argc, char **argv) {
    long rounds = 1, threads = 1;
    int opt;
    while ((opt = getopt(argc, argv, "n:t:s:pq")) != -1) {
        if (opt == 'n') rounds = strtol(optarg, NULL, 10);
        else if (opt == 't') threads = strtol(optarg, NULL, 10);
        else if (opt == 's') g_sleep_ms = strtol(optarg, NULL, 10);
        else if (opt == 'p') g_callbacks = true;
        else if (opt == 'q') g_quiet = true;
        else return fprintf(stderr, "usage: %s MODULE PLUGIN_ID SETTINGS_JSON [-n ROUNDS] [-t THREADS] [-s MS] [-p] [-q]\n", argv[0]), 2;
    }
    if (argc - optind != 3 || rounds < 1 || threads < 1 || threads > 256)
        return fprintf(stderr, "usage: %s MODULE PLUGIN_ID SETTINGS_JSON [-n ROUNDS] [-t THREADS] [-s MS] [-p] [-q]\n", argv[0]), 2;
    const char *path = argv[optind], *plugin_id = argv[optind + 1], *settings = argv[optind + 2];

    /* Messages first, so that a bad input never leaves an instance half made. */
    char **lines = NULL, *line = NULL;
    size_t nlines = 0, lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, stdin)) >= 0) {
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (len == 0) continue;
        lines = realloc(lines, (nlines + 1) * sizeof *lines);
        lines[nlines++] = strdup(line);
    }
    free(line);
    g_count = nlines * (size_t)rounds;
    g_slots = calloc(g_count ? g_count : 1, sizeof *g_slots);
    for (size_t i = 0; i < g_count; i++) {
        g_slots[i].message = instantiate(lines[i % nlines], i);
        pthread_mutex_init(&g_slots[i].mu, NULL);
        pthread_cond_init(&g_slots[i].cv, NULL);
    }

    void *module = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!module) return fprintf(stderr, "dlopen %s: %s\n", path, dlerror()), 1;
    kn_module_entry_fn entry_fn = (kn_module_entry_fn)dlsym(module, KN_ENTRY_SYMBOL);
    if (!entry_fn) return fprintf(stderr, "%s: no %s\n", path, KN_ENTRY_SYMBOL), 1;
    const kn_module_entry_t *entry = entry_fn();
    if (!entry || entry->abi.major != KN_ABI_MAJOR) return fprintf(stderr, "%s: ABI major mismatch\n", path), 1;
    kn_error_t err = {0};
    if (entry->init(&g_module_host, path, &err) != KN_OK) return fprintf(stderr, "init: %s\n", err.message), 1;
    const kn_plugin_factory_t *factory = entry->get_factory(KN_PLUGIN_FACTORY_ID);
    if (!factory) return fprintf(stderr, "no factory\n"), 1;
    memset(&err, 0, sizeof err);
    kn_status_t rc = factory->create(factory, &g_instance_host, plugin_id, settings, &g_plugin, &err);
    if (rc != KN_OK) {
        printf("{\"create_status\":%d,\"error\":", rc);
        print_json_string(stdout, err.message);
        printf("}\n");
        entry->deinit();
        return 3;
    }
    g_notify = g_plugin->get_interface(g_plugin, KN_NOTIFY_ID);
    if (!g_notify || !g_notify->address_kind || !g_notify->send || (g_callbacks && !g_notify->parse_callback)) {
        fprintf(stderr, "the instance has no usable %s table\n", KN_NOTIFY_ID);
        return 1;
    }
    memset(&err, 0, sizeof err);
    if (g_plugin->start(g_plugin, &err) != KN_OK) {
        fprintf(stderr, "start: %s\n", err.message);
        g_plugin->destroy(g_plugin);
        entry->deinit();
        return 4;
    }
    fprintf(stderr, "address_kind: %s\n", g_notify->address_kind(g_plugin));
    if (g_notify->channel_info) fprintf(stderr, "channel_info: %s\n", g_notify->channel_info(g_plugin));

    int64_t t0 = now_ns();
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    for (long i = 0; i < threads; i++) pthread_create(&tids[i], NULL, worker, NULL);
    for (long i = 0; i < threads; i++) pthread_join(tids[i], NULL);
    double seconds = (double)(now_ns() - t0) / 1e9;

    int status = 0;
    for (size_t i = 0; i < g_count; i++) {
        slot *s = &g_slots[i];
        if (s->completions != 1) status = 5;
        printf("{\"i\":%zu,\"status\":%d", i, s->status);
        if (s->result) printf(",\"result\":%s", s->result);
        if (s->error) printf(",\"error\":"), print_json_string(stdout, s->error);
        printf("}\n");
        free(s->result), free(s->error), free(s->message);
    }
    fflush(stdout);
    g_plugin->stop(g_plugin);
    g_plugin->destroy(g_plugin);
    entry->deinit();
    fprintf(stderr, "{\"sent\":%zu,\"seconds\":%.3f,\"per_second\":%.1f}\n", g_count, seconds,
            seconds > 0 ? (double)g_count / seconds : 0.0);
    for (size_t i = 0; i < nlines; i++) free(lines[i]);
    free(lines), free(g_slots), free(tids);
    return status;
}
