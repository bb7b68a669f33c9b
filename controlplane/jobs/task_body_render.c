/*
 * task_body_render.c — writes a task_body_t as TaskBody XML: elements in
 * order, <outputAsset> attributes where set, values escaped so that
 * task_body_parse reads back the same body.
 */
#include "jobs/task_body.h"

#include <stdio.h>
#include <string.h>

#include "jobs/job_error.h"
#include "jobs/job_text.h"

typedef struct {
    char *out;
    size_t cap;
    size_t len;                   /* bytes wanted so far, may exceed cap */
} xml_writer_t;

static void put_bytes(xml_writer_t *w, const char *s, size_t n)
{
    if (w->len < w->cap && n < w->cap - w->len) {
        memcpy(w->out + w->len, s, n);
    }
    w->len += n;
}

static void put(xml_writer_t *w, const char *s)
{
    put_bytes(w, s, strlen(s));
}

/* Attribute value text, for a double-quoted value: also keeps tab, LF and CR
 * (attribute-value normalisation would turn them into spaces). */
static void put_attribute_text(xml_writer_t *w, const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '&': put(w, "&amp;"); break;
        case '<': put(w, "&lt;"); break;
        case '"': put(w, "&quot;"); break;
        case '\t': put(w, "&#9;"); break;
        case '\n': put(w, "&#10;"); break;
        case '\r': put(w, "&#13;"); break;
        default: put_bytes(w, s, 1); break;
        }
    }
}

static void put_string_attribute(xml_writer_t *w, const char *name, const char *value)
{
    if (value[0] == '\0') {
        return;
    }
    put(w, " ");
    put(w, name);
    put(w, "=\"");
    put_attribute_text(w, value);
    put(w, "\"");
}

static void put_number_attribute(xml_writer_t *w, const char *name, bool has, uint32_t value)
{
    char text[16];
    if (!has) {
        return;
    }
    snprintf(text, sizeof(text), "%u", (unsigned)value);
    put(w, " ");
    put(w, name);
    put(w, "=\"");
    put(w, text);
    put(w, "\"");
}

static void put_asset(xml_writer_t *w, const task_asset_t *asset)
{
    char ref_text[JOB_ASSET_REF_TEXT_MAX];
    const char *tag = asset->role == TASK_ASSET_INPUT ? "inputAsset" : "outputAsset";
    put(w, "<");
    put(w, tag);
    if (asset->role == TASK_ASSET_OUTPUT) {
        put_string_attribute(w, "assetName", asset->name);
        put_number_attribute(w, "assetCreationOptions", asset->has_creation_options,
                             asset->creation_options);
        put_number_attribute(w, "assetFormatOption", asset->has_format_option,
                             asset->format_option);
        put_string_attribute(w, "storageAccountName", asset->storage_account);
    }
    put(w, ">");
    put(w, job_asset_ref_format(asset->ref, ref_text));
    put(w, "</");
    put(w, tag);
    put(w, ">");
}

int task_body_render(const task_body_t *body, char *out, size_t cap, size_t *len,
                     char *err, size_t err_len)
{
    char reason[JOB_ERR_LEN];
    if (task_body_check(body, reason, sizeof(reason)) != 0) {
        job_errf(err, err_len, "TaskBody: %s", reason);
        return -1;
    }
    xml_writer_t w = { .out = out, .cap = cap, .len = 0 };
    put(&w, "<taskBody>");
    for (uint32_t i = 0; i < body->count; i++) {
        put_asset(&w, &body->assets[i]);
    }
    put(&w, "</taskBody>");
    if (w.len >= cap) {
        job_errf(err, err_len, "TaskBody: %zu bytes do not fit in %zu", w.len + 1, cap);
        return -1;
    }
    out[w.len] = '\0';
    if (job_text_characters(out, w.len) > TASK_BODY_MAX_CHARS) {
        job_errf(err, err_len, "TaskBody: the rendered body would be longer than %d characters",
                 TASK_BODY_MAX_CHARS);
        return -1;
    }
    if (len != NULL) {
        *len = w.len;
    }
    return 0;
}
