/*
 * storage-s3: the XML S3 answers with, read by libxml2. Parsing never touches the network
 * (XML_PARSE_NONET) and never expands entities; elements are matched by local name so that
 * the S3 namespace (or its absence, on some peers) does not matter.
 */
#define _GNU_SOURCE
#include "s3.h"

#include "s3_libs.h"

#include <stdlib.h>
#include <string.h>

static xmlDocPtr parse(const char *body, size_t n) {
    if (!body || !n || n > INT32_MAX) return NULL;
    return xmlReadMemory(body, (int)n, "s3.xml", NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static bool named(xmlNodePtr node, const char *name) {
    return node->type == XML_ELEMENT_NODE && strcmp((const char *)node->name, name) == 0;
}

static xmlNodePtr child(xmlNodePtr parent, const char *name) {
    for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
        if (named(c, name)) return c;
    return NULL;
}

static xmlNodePtr find(xmlNodePtr node, const char *name) {
    for (; node; node = node->next) {
        if (named(node, name)) return node;
        xmlNodePtr found = find(node->children, name);
        if (found) return found;
    }
    return NULL;
}

/* The text of parent's child `name`, malloc'd ("" when empty), or NULL when absent. */
static char *child_text(xmlNodePtr parent, const char *name) {
    xmlNodePtr c = child(parent, name);
    if (!c) return NULL;
    xmlChar *t = xmlNodeGetContent(c);
    char *s = strdup(t ? (const char *)t : "");
    xmlFree(t);
    return s;
}

static void copy_text(xmlNodePtr node, char *out, size_t cap) {
    xmlChar *t = node ? xmlNodeGetContent(node) : NULL;
    snprintf(out, cap, "%s", t ? (const char *)t : "");
    xmlFree(t);
}

void s3_xml_error(const char *body, size_t n, char *code, size_t codecap, char *msg, size_t msgcap) {
    xmlDocPtr doc = parse(body, n);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    code[0] = msg[0] = '\0';
    if (root && named(root, "Error")) {
        copy_text(child(root, "Code"), code, codecap);
        copy_text(child(root, "Message"), msg, msgcap);
        for (char *p = msg; *p; p++) /* keep the message on one line */
            if ((unsigned char)*p < 0x20) *p = ' ';
    }
    xmlFreeDoc(doc);
}

bool s3_xml_text(const char *body, size_t n, const char *name, char *out, size_t cap) {
    xmlDocPtr doc = parse(body, n);
    xmlNodePtr node = doc ? find(xmlDocGetRootElement(doc), name) : NULL;
    if (node) copy_text(node, out, cap);
    xmlFreeDoc(doc);
    return node != NULL;
}

/* %XX-decoding of a key listed with encoding-type=url, in place ('+' is a space there). */
static void url_decode(char *s) {
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '%' && p[1] && p[2]) {
            char hex[3] = {p[1], p[2], 0};
            *o++ = (char)strtol(hex, NULL, 16), p += 2;
        } else {
            *o++ = *p == '+' ? ' ' : *p;
        }
    }
    *o = '\0';
}

static bool is_true(xmlNodePtr parent, const char *name) {
    char *t = child_text(parent, name);
    bool yes = t && strcmp(t, "true") == 0;
    free(t);
    return yes;
}

bool s3_xml_list(const char *body, size_t n, s3_list_page *page) {
    xmlDocPtr doc = parse(body, n);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    bool ok = root && named(root, "ListBucketResult");
    memset(page, 0, sizeof *page);
    if (ok) {
        char *enc = child_text(root, "EncodingType");
        bool urlenc = enc && strcmp(enc, "url") == 0;
        free(enc);
        size_t cap = 0;
        for (xmlNodePtr c = root->children; c && ok; c = c->next) {
            if (!named(c, "Contents")) continue;
            if (page->count == cap) {
                cap = cap ? cap * 2 : 64;
                s3_list_item *items = realloc(page->items, cap * sizeof *items);
                if (!items) { ok = false; break; }
                page->items = items;
            }
            s3_list_item *it = &page->items[page->count];
            memset(it, 0, sizeof *it);
            it->key = child_text(c, "Key");
            it->etag = child_text(c, "ETag");
            char *size = child_text(c, "Size"), *mod = child_text(c, "LastModified");
            it->size = size ? strtoll(size, NULL, 10) : 0;
            it->mtime_ns = s3_parse_iso8601(mod);
            free(size), free(mod);
            if (!it->key) { free(it->etag); ok = false; break; }
            if (urlenc) url_decode(it->key);
            page->count++;
        }
        page->truncated = is_true(root, "IsTruncated");
        page->next_token = child_text(root, "NextContinuationToken");
        if (page->truncated && (!page->next_token || !*page->next_token)) ok = false;
    }
    xmlFreeDoc(doc);
    if (!ok) s3_list_page_free(page);
    return ok;
}

void s3_list_page_free(s3_list_page *page) {
    for (size_t i = 0; i < page->count; i++) free(page->items[i].key), free(page->items[i].etag);
    free(page->items), free(page->next_token);
    memset(page, 0, sizeof *page);
}

bool s3_xml_uploads(const char *body, size_t n, s3_upload_page *page) {
    xmlDocPtr doc = parse(body, n);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    bool ok = root && named(root, "ListMultipartUploadsResult");
    memset(page, 0, sizeof *page);
    size_t cap = 0;
    for (xmlNodePtr c = ok ? root->children : NULL; c; c = c->next) {
        if (!named(c, "Upload")) continue;
        if (page->count == cap) {
            cap = cap ? cap * 2 : 32;
            s3_upload_item *items = realloc(page->items, cap * sizeof *items);
            if (!items) { ok = false; break; }
            page->items = items;
        }
        s3_upload_item *it = &page->items[page->count];
        it->key = child_text(c, "Key");
        it->upload_id = child_text(c, "UploadId");
        char *when = child_text(c, "Initiated");
        it->initiated_ns = s3_parse_iso8601(when);
        free(when);
        if (!it->key || !it->upload_id) { free(it->key), free(it->upload_id); continue; }
        page->count++;
    }
    if (ok) {
        page->truncated = is_true(root, "IsTruncated");
        page->next_key_marker = child_text(root, "NextKeyMarker");
        page->next_upload_id_marker = child_text(root, "NextUploadIdMarker");
    }
    xmlFreeDoc(doc);
    if (!ok) s3_upload_page_free(page);
    return ok;
}

void s3_upload_page_free(s3_upload_page *page) {
    for (size_t i = 0; i < page->count; i++) free(page->items[i].key), free(page->items[i].upload_id);
    free(page->items), free(page->next_key_marker), free(page->next_upload_id_marker);
    memset(page, 0, sizeof *page);
}
