/*
 * moderation-wordlist: the instance and its configuration. wl_load_config reads the config
 * JSON, folds and indexes the words and compiles the patterns; after that the instance is
 * read-only.
 */
#define _POSIX_C_SOURCE 200809L

#include "wl_config.h"
#include "wl_fold.h"
#include "knc_json.h"
#include "knc_text.h"

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WL_DEFAULT_LABEL "blocklist"
#define WL_DEFAULT_MAX_BYTES 1048576.0
#define WL_MAX_MAX_BYTES 67108864.0

void wl_free_state(wl_state *st) {
    if (!st) return;
    for (size_t i = 0; i < st->ngroups; i++) free(st->groups[i]);
    for (size_t i = 0; i < st->nwords; i++) free(st->words[i].shown), free(st->words[i].folded);
    for (size_t i = 0; i < st->npatterns; i++) {
        regfree(&st->patterns[i]->re);
        free(st->patterns[i]->shown), free(st->patterns[i]);
    }
    free(st->groups), free(st->words), free(st->patterns), free(st->buckets), free(st);
}

/* Returns items with room for one more entry (perhaps moved), or NULL leaving them as they
 * were. */
static void *grow(void *items, size_t *cap, size_t count, size_t size) {
    if (count < *cap) return items;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *n = ncap < SIZE_MAX / size ? realloc(items, ncap * size) : NULL;
    if (n) *cap = ncap;
    return n;
}

static char *dup_n(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n), d[n] = '\0';
    return d;
}

/* Where a config string sits, for messages: "words[2]", "labels.spam.patterns[0]". */
typedef struct {
    const char *prefix, *list; /* "" or "labels.<name>.", and "words" or "patterns" */
    size_t idx;
} wl_where;
#define WHERE "setting \"%s%s[%zu]\""
#define WHERE_ARGS(w) (w).prefix, (w).list, (w).idx

static kn_status_t add_word(wl_state *st, uint32_t group, const jval *v, wl_where at,
                            kn_error_t *err) {
    char shown[96];
    size_t flen, bad, pos = 0, start, tlen, jlen = 0, first = 0;
    unsigned char *tmp = malloc(v->len + 1);
    char *joined = malloc(v->len + 1), *copy = dup_n(v->str, v->len);
    wl_word *words = grow(st->words, &st->cap_words, st->nwords, sizeof *words);
    kn_status_t rc = KN_OK;
    if (words) st->words = words;
    if (!tmp || !joined || !copy || !words)
        rc = knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    else if (!wl_fold_utf8((const unsigned char *)v->str, v->len, tmp, &flen, &bad, true))
        rc = knc_fail(err, KN_E_CONFIG, WHERE " is not valid UTF-8", WHERE_ARGS(at));
    if (rc != KN_OK) goto out;
    /* Separators inside an entry are not significant: "son-of-a" is the tokens son, of, a. */
    while (wl_next_token(tmp, flen, &pos, &start, &tlen)) {
        if (jlen) joined[jlen++] = ' ';
        else first = tlen;
        memcpy(joined + jlen, tmp + start, tlen);
        jlen += tlen;
    }
    joined[jlen] = '\0';
    if (jlen == 0) {
        rc = knc_fail(err, KN_E_CONFIG, WHERE " (\"%s\") has no letters or digits",
                     WHERE_ARGS(at), knc_clip(v->str, v->len, shown, sizeof shown));
        goto out;
    }
    st->words[st->nwords++] = (wl_word){copy, joined, jlen, first,
                                        wl_fnv1a((unsigned char *)joined, first), group, -1};
    copy = joined = NULL;
out:
    free(tmp), free(joined), free(copy);
    return rc;
}

static kn_status_t add_pattern(wl_state *st, uint32_t group, const jval *v, wl_where at,
                               const char *label, kn_error_t *err) {
    char shown[96], why[160], whyshown[160];
    size_t flen, bad;
    wl_pattern *pt = calloc(1, sizeof *pt);
    char *folded = malloc(v->len + 1);
    wl_pattern **pts = grow(st->patterns, &st->cap_patterns, st->npatterns, sizeof *pts);
    kn_status_t rc = KN_OK;
    if (pts) st->patterns = pts;
    if (!pt || !folded || !pts || !(pt->shown = dup_n(v->str, v->len))) {
        rc = knc_fail(err, KN_E_NO_MEMORY, "out of memory");
        goto out;
    }
    /* Non-ASCII is folded so "merdé" can match folded text, but ASCII case is kept: lowering
     * "\W" to "\w" would change its meaning, and REG_ICASE handles ASCII case anyway. */
    if (!wl_fold_utf8((const unsigned char *)v->str, v->len, (unsigned char *)folded, &flen,
                      &bad, false)) {
        rc = knc_fail(err, KN_E_CONFIG, WHERE " is not valid UTF-8", WHERE_ARGS(at));
        goto out;
    }
    folded[flen] = '\0';
    int rerr = regcomp(&pt->re, folded, REG_EXTENDED | REG_ICASE | REG_NOSUB);
    if (rerr != 0) {
        regerror(rerr, &pt->re, why, sizeof why);
        rc = knc_fail(err, KN_E_CONFIG, WHERE " (\"%s\") is not a valid regular expression: %s",
                     WHERE_ARGS(at), knc_clip(v->str, v->len, shown, sizeof shown),
                     knc_clip(why, strlen(why), whyshown, sizeof whyshown));
        goto out;
    }
    pt->group = group;
    st->patterns[st->npatterns++] = pt;
    if (regexec(&pt->re, "", 0, NULL, 0) == 0)
        knc_log(st->host, KN_LOG_WARN, "pattern \"%s\" matches empty text: every input will be "
               "labelled \"%s\"", knc_clip(v->str, v->len, shown, sizeof shown), label);
    pt = NULL;
out:
    if (pt) free(pt->shown), free(pt);
    free(folded);
    return rc;
}

/* Sections naming the same label share one entry in the result. */
static kn_status_t group_for(wl_state *st, const char *name, uint32_t *out, kn_error_t *err) {
    for (size_t i = 0; i < st->ngroups; i++)
        if (strcmp(st->groups[i], name) == 0) return *out = (uint32_t)i, KN_OK;
    char *copy = dup_n(name, strlen(name));
    char **groups = grow(st->groups, &st->cap_groups, st->ngroups, sizeof *groups);
    if (groups) st->groups = groups;
    if (!copy || !groups) return free(copy), knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    st->groups[st->ngroups] = copy;
    *out = (uint32_t)st->ngroups++;
    return KN_OK;
}

/* Loads the "words" and "patterns" of `table` (the root, or one entry of "labels"). */
static kn_status_t load_section(wl_state *st, const char *label, const jval *table,
                                const char *prefix, kn_error_t *err) {
    uint32_t group = 0;
    kn_status_t rc = group_for(st, label, &group, err);
    for (int list = 0; list < 2 && rc == KN_OK; list++) {
        wl_where at = {prefix, list ? "patterns" : "words", 0};
        const jval *arr = knc_json_get(table, at.list);
        if (arr && arr->type != J_ARR)
            return knc_fail(err, KN_E_CONFIG, "setting \"%s%s\" must be an array of strings",
                           prefix, at.list);
        for (; rc == KN_OK && arr && at.idx < arr->count; at.idx++) {
            const jval *v = &arr->items[at.idx];
            if (v->type != J_STR || v->len == 0 || strlen(v->str) != v->len)
                return knc_fail(err, KN_E_CONFIG, WHERE " must be a non-empty string without NUL",
                               WHERE_ARGS(at));
            rc = list ? add_pattern(st, group, v, at, label, err) : add_word(st, group, v, at, err);
        }
    }
    return rc;
}

/* Chains words by the hash of their first token. A word that folds like an earlier one of
 * the same label stays out of the chains, so it is neither matched nor reported twice. */
static kn_status_t build_index(wl_state *st, kn_error_t *err) {
    size_t nb = 16;
    if (st->nwords > INT32_MAX / 4) return knc_fail(err, KN_E_CONFIG, "too many words");
    while (nb < st->nwords * 2) nb *= 2;
    if (!(st->buckets = malloc(nb * sizeof *st->buckets)))
        return knc_fail(err, KN_E_NO_MEMORY, "out of memory");
    st->nbuckets = nb;
    for (size_t i = 0; i < nb; i++) st->buckets[i] = -1;
    for (size_t i = 0; i < st->nwords; i++) {
        wl_word *w = &st->words[i];
        int32_t *head = &st->buckets[w->hash & (nb - 1)], j = *head;
        while (j >= 0 && (st->words[j].group != w->group || strcmp(st->words[j].folded, w->folded)))
            j = st->words[j].next;
        if (j < 0) w->next = *head, *head = (int32_t)i;
    }
    return KN_OK;
}

kn_status_t wl_load_config(wl_state *st, const char *json, kn_error_t *err) {
    knc_json_error jerr;
    jval root = {0};
    kn_status_t rc = KN_OK;
    char name[64], prefix[96];

    if (!knc_json_parse(json, &root, &jerr)) {
        rc = knc_fail(err, jerr.oom ? KN_E_NO_MEMORY : KN_E_CONFIG,
                     "config is not valid JSON: %s at byte %zu", jerr.what, jerr.pos);
        goto out;
    }
    if (root.type != J_OBJ) {
        rc = knc_fail(err, KN_E_CONFIG, "config must be a JSON object");
        goto out;
    }
    /* Unknown top-level keys are ignored: the host's schema (additionalProperties) rules. */
    const jval *label = knc_json_get(&root, "label"), *maxb = knc_json_get(&root, "max_bytes"),
               *labels = knc_json_get(&root, "labels");
    double mb = maxb && maxb->type == J_NUM ? maxb->num : WL_DEFAULT_MAX_BYTES;
    if (label && (label->type != J_STR || label->len == 0 || strlen(label->str) != label->len))
        rc = knc_fail(err, KN_E_CONFIG, "setting \"label\" must be a non-empty string");
    else if ((maxb && maxb->type != J_NUM) || !(mb >= 1 && mb <= WL_MAX_MAX_BYTES) ||
             mb != (double)(int64_t)mb) /* the range test comes first: the cast needs it */
        rc = knc_fail(err, KN_E_CONFIG, "setting \"max_bytes\" must be an integer from 1 to %.0f",
                     WL_MAX_MAX_BYTES);
    else if (labels && labels->type != J_OBJ)
        rc = knc_fail(err, KN_E_CONFIG, "setting \"labels\" must be a table of label tables "
                     "like {\"words\": [...], \"patterns\": [...]}");
    if (rc != KN_OK) goto out;
    st->max_bytes = (size_t)mb;

    rc = load_section(st, label ? label->str : WL_DEFAULT_LABEL, &root, "", err);
    for (size_t i = 0; labels && rc == KN_OK && i < labels->count; i++) {
        const jval *t = &labels->items[i];
        knc_clip(labels->keys[i], labels->keylens[i], name, sizeof name);
        snprintf(prefix, sizeof prefix, "labels.%s.", name);
        if (labels->keylens[i] == 0 || strlen(labels->keys[i]) != labels->keylens[i])
            rc = knc_fail(err, KN_E_CONFIG,
                         "setting \"labels\": names must be non-empty, without NUL");
        else if (t->type != J_OBJ)
            rc = knc_fail(err, KN_E_CONFIG, "setting \"labels.%s\" must be a table", name);
        /* The host's schema catches typos here too, but a standalone host may not have one. */
        for (size_t k = 0; rc == KN_OK && t->type == J_OBJ && k < t->count; k++)
            if (strcmp(t->keys[k], "words") != 0 && strcmp(t->keys[k], "patterns") != 0)
                rc = knc_fail(err, KN_E_CONFIG, "setting \"%s%s\" is unknown (expected \"words\" "
                             "or \"patterns\")", prefix,
                             knc_clip(t->keys[k], t->keylens[k], name, sizeof name));
        if (rc == KN_OK) rc = load_section(st, labels->keys[i], t, prefix, err);
    }
    if (rc == KN_OK) rc = build_index(st, err);
    if (rc == KN_OK)
        knc_log(st->host, KN_LOG_INFO, "word list ready: %zu words, %zu patterns, %zu labels, "
               "max_bytes %zu", st->nwords, st->npatterns, st->ngroups, st->max_bytes);
out:
    knc_json_free(&root);
    return rc;
}

