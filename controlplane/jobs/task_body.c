/*
 * task_body.c — reads one TaskBody from its XML text (the document around
 * the <taskBody> element: root check, message prefix), counts and compares
 * task bodies.
 */
#include "jobs/task_body.h"

#include <string.h>

#include "jobs/job_error.h"
#include "jobs/job_xml.h"
#include "jobs/task_body_xml.h"

static int read_root(const xmlDoc *doc, task_body_t *body, char *err, size_t err_len)
{
    const xmlNode *root = xmlDocGetRootElement(doc);
    if (strcmp(job_xml_name(root), "taskBody") != 0) {
        char quote[JOB_ERR_QUOTE_MAX + 8];
        const char *name = job_xml_name(root);
        job_errf(err, err_len, "TaskBody: the document element is <%s>, expected <taskBody>",
                 job_err_quote(name, strlen(name), quote, sizeof(quote)));
        return -1;
    }
    char reason[JOB_ERR_LEN];
    if (task_body_read_element(root, body, reason, sizeof(reason)) != 0) {
        job_errf(err, err_len, "TaskBody: %s", reason);
        return -1;
    }
    return 0;
}

int task_body_parse(const char *xml, size_t len, task_body_t *body, char *err, size_t err_len)
{
    memset(body, 0, sizeof(*body));
    xmlDocPtr doc = job_xml_read(xml, len, TASK_BODY_MAX_CHARS, "TaskBody", err, err_len);
    if (doc == NULL) {
        return -1;
    }
    int rc = read_root(doc, body, err, err_len);
    xmlFreeDoc(doc);
    return rc;
}

uint32_t task_body_count(const task_body_t *body, task_asset_role_t role)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i < body->count && i < JOB_MAX_ASSETS_PER_TASK; i++) {
        count += body->assets[i].role == role;
    }
    return count;
}

static bool outputs_equal(const task_asset_t *a, const task_asset_t *b)
{
    return strncmp(a->name, b->name, sizeof(a->name)) == 0 &&
           strncmp(a->storage_account, b->storage_account, sizeof(a->storage_account)) == 0 &&
           a->has_creation_options == b->has_creation_options &&
           (!a->has_creation_options || a->creation_options == b->creation_options) &&
           a->has_format_option == b->has_format_option &&
           (!a->has_format_option || a->format_option == b->format_option);
}

static bool assets_equal(const task_asset_t *a, const task_asset_t *b)
{
    if (a->role != b->role || a->ref.kind != b->ref.kind || a->ref.index != b->ref.index) {
        return false;
    }
    return a->role != TASK_ASSET_OUTPUT || outputs_equal(a, b);
}

bool task_body_equal(const task_body_t *a, const task_body_t *b)
{
    if (a->count != b->count || a->count > JOB_MAX_ASSETS_PER_TASK) {
        return false;
    }
    for (uint32_t i = 0; i < a->count; i++) {
        if (!assets_equal(&a->assets[i], &b->assets[i])) {
            return false;
        }
    }
    return true;
}
