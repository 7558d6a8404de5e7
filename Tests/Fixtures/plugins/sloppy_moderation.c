/* Four moderation plugins, each with one bug the conformance suite must catch:
 *   org.test.mod-twice     completes every call twice
 *   org.test.mod-unsorted  reports scores out of order, one above 1
 *   org.test.mod-deaf      ignores its reader's failure and answers OK
 *   org.test.mod-gullible  also takes kinora.moderation.feedback/1, and accepts any label
 * The plugin id picks the bug; everything else is a correct kinora.moderation/1 (and
 * feedback/1: it reads the content and passes a reader's failure on). */
#include <kinora/plugin.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum bug { TWICE, UNSORTED, DEAF, GULLIBLE };
#define PLUGINS 4

static const char *const ifaces[] = { KN_MODERATION_ID, NULL };
static const char *const learning[] = { KN_MODERATION_ID, KN_MODERATION_FEEDBACK_ID, NULL };
static const kn_plugin_descriptor_t descs[] = {
    { KN_ABI_VERSION_INIT, "org.test.mod-twice", "twice", NULL, "1", NULL, NULL, ifaces, NULL, 0 },
    { KN_ABI_VERSION_INIT, "org.test.mod-unsorted", "unsorted", NULL, "1", NULL, NULL, ifaces, NULL, 0 },
    { KN_ABI_VERSION_INIT, "org.test.mod-deaf", "deaf", NULL, "1", NULL, NULL, ifaces, NULL, 0 },
    { KN_ABI_VERSION_INIT, "org.test.mod-gullible", "gullible", NULL, "1", NULL, NULL, learning, NULL, 0 },
};

static void classify(const kn_plugin_t *p, const kn_call_t *call, const char *type, kn_reader_t media, kn_completion_t done) {
    (void)call;
    enum bug bug = (enum bug)(intptr_t)p->plugin_data;
    if (strncmp(type, "text/", 5) != 0) {
        kn_error_t err = { KN_E_UNSUPPORTED, 0, "only text" };
        done.complete(done.ctx, KN_E_UNSUPPORTED, &err, NULL);
        return;
    }
    uint8_t buf[4096];
    int64_t n;
    while ((n = media.read(media.ctx, buf, sizeof buf)) > 0) {}
    if (n < 0 && bug != DEAF) {
        done.complete(done.ctx, (kn_status_t)n, NULL, NULL);
        return;
    }
    const char *verdict = bug == UNSORTED ? "{\"labels\":[{\"name\":\"a\",\"score\":0.2},{\"name\":\"b\",\"score\":1.5}]}" : "{\"labels\":[]}";
    done.complete(done.ctx, KN_OK, NULL, verdict);
    if (bug == TWICE) done.complete(done.ctx, KN_OK, NULL, verdict);
}

static const kn_moderation_v1_t table = { classify };

static void feedback(const kn_plugin_t *p, const kn_call_t *call, const char *type, kn_reader_t content, const char *label,
                     const char *decision, kn_completion_t done) {
    (void)p; (void)call; (void)type; (void)decision;
    uint8_t buf[4096];
    int64_t n;
    while ((n = content.read(content.ctx, buf, sizeof buf)) > 0) {}
    if (n < 0) {
        done.complete(done.ctx, (kn_status_t)n, NULL, NULL);
        return;
    }
    (void)label; /* the bug: "maybe" is learnt as happily as "clean" */
    done.complete(done.ctx, KN_OK, NULL, NULL);
}

static const kn_moderation_feedback_v1_t feedback_table = { feedback };

static kn_status_t start(const kn_plugin_t *p, kn_error_t *err) { (void)p; (void)err; return KN_OK; }
static void stop(const kn_plugin_t *p) { (void)p; }
static void destroy(const kn_plugin_t *p) { free((void *)p); }
static const void *get_interface(const kn_plugin_t *p, const char *id) {
    if (strcmp(id, KN_MODERATION_ID) == 0) return &table;
    if ((enum bug)(intptr_t)p->plugin_data == GULLIBLE && strcmp(id, KN_MODERATION_FEEDBACK_ID) == 0) return &feedback_table;
    return NULL;
}

static uint32_t count(const kn_plugin_factory_t *f) { (void)f; return PLUGINS; }
static const kn_plugin_descriptor_t *get_descriptor(const kn_plugin_factory_t *f, uint32_t i) { (void)f; return i < PLUGINS ? &descs[i] : NULL; }
static kn_status_t create(const kn_plugin_factory_t *f, const kn_host_t *host, const char *id, const char *config,
                          const kn_plugin_t **out, kn_error_t *err) {
    (void)f; (void)host; (void)config; (void)err;
    for (int i = 0; i < PLUGINS; i++) {
        if (strcmp(id, descs[i].id) != 0) continue;
        kn_plugin_t *p = calloc(1, sizeof *p);
        if (!p) return KN_E_NO_MEMORY;
        *p = (kn_plugin_t){ &descs[i], (void *)(intptr_t)i, start, stop, destroy, get_interface };
        *out = p;
        return KN_OK;
    }
    return KN_E_NOT_FOUND;
}
static const kn_plugin_factory_t factory = { count, get_descriptor, create };

static kn_status_t init(const kn_host_t *host, const char *path, kn_error_t *err) { (void)host; (void)path; (void)err; return KN_OK; }
static void deinit(void) {}
static const void *get_factory(const char *id) { return strcmp(id, KN_PLUGIN_FACTORY_ID) == 0 ? &factory : NULL; }
static const kn_module_entry_t entry = { KN_ABI_VERSION_INIT, init, deinit, get_factory };

KN_EXPORT const kn_module_entry_t *kinora_module_entry_v1(void) { return &entry; }
