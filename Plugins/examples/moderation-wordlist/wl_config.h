/*
 * moderation-wordlist: the instance and loading it from its config (config.c).
 *
 * Internal to the plugin: every function is hidden, so only kinora_module_entry_v1 is
 * exported even when the plugin is built without -fvisibility=hidden.
 */
#ifndef KINORA_WL_CONFIG_H
#define KINORA_WL_CONFIG_H

#include <kinora/plugin.h>

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#ifndef WL_INTERNAL
#define WL_INTERNAL __attribute__((visibility("hidden")))
#endif

typedef struct {
    char *shown;  /* as configured: what "matches" reports */
    char *folded; /* folded tokens joined by single spaces */
    size_t folded_len, first_len;
    uint32_t hash, group; /* hash of the first token */
    int32_t next;         /* hash chain; -1 ends it */
} wl_word;

typedef struct {
    char *shown;
    regex_t re; /* allocated one by one: POSIX does not promise a regex_t may be moved */
    uint32_t group;
} wl_pattern;

typedef struct {
    kn_plugin_t plugin; /* handed out; plugin_data points back at this struct */
    const kn_host_t *host;
    size_t max_bytes;
    char **groups; /* label names, in report order */
    size_t ngroups, cap_groups;
    wl_word *words;
    size_t nwords, cap_words;
    wl_pattern **patterns;
    size_t npatterns, cap_patterns;
    int32_t *buckets; /* first-token hash -> first word of its chain */
    size_t nbuckets;  /* a power of two */
} wl_state;

/* Fills st (zeroed, with host set) from the config JSON: max_bytes, the labels, their words
 * and compiled patterns, and the word index. On failure st may hold part of it: release it
 * with wl_free_state. */
WL_INTERNAL kn_status_t wl_load_config(wl_state *st, const char *json, kn_error_t *err);

/* Frees st and everything it holds; NULL is allowed. */
WL_INTERNAL void wl_free_state(wl_state *st);

#endif
