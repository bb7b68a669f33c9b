/*
 * job_template_body.c — reads a JobTemplateBody: the <jobTemplate> document,
 * its <taskBody> elements, their taskTemplateId attributes (form, no reuse);
 * task contents are read as in a TaskBody.
 */
#include "jobs/job_template_body.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "jobs/job_error.h"
#include "jobs/job_text.h"
#include "jobs/job_xml.h"
#include "jobs/task_body_xml.h"

#define QUOTE_CAP (JOB_ERR_QUOTE_MAX + 8)

/* 8-4-4-4-12 hexadecimal digits */
static bool is_uuid(const char *s, size_t len)
{
    if (len != 36) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

static bool is_task_template_id(const char *s, size_t len)
{
    size_t prefix = sizeof(TASK_TEMPLATE_ID_PREFIX) - 1;
    return len == TASK_TEMPLATE_ID_LEN && memcmp(s, TASK_TEMPLATE_ID_PREFIX, prefix) == 0 &&
           is_uuid(s + prefix, len - prefix);
}

static int read_task_template_id(const xmlNode *element, char *out, char *err, size_t err_len)
{
    xmlChar *value = xmlGetNoNsProp(element, (const xmlChar *)"taskTemplateId");
    if (value == NULL) {
        job_errf(err, err_len, "<taskBody> has no taskTemplateId");
        return -1;
    }
    size_t len = strlen((const char *)value);
    const char *id = job_text_trim((const char *)value, &len);
    int rc = 0;
    if (is_task_template_id(id, len)) {
        memcpy(out, id, len);
        out[len] = '\0';
    } else {
        char quote[QUOTE_CAP];
        job_errf(err, err_len, "taskTemplateId \"%s\" is not nb:ttid:UUID:<uuid>",
                 job_err_quote(id, len, quote, sizeof(quote)));
        rc = -1;
    }
    xmlFree(value);
    return rc;
}

static int check_id_unused(const job_template_body_t *tmpl, char *err, size_t err_len)
{
    uint32_t last = tmpl->task_count;
    for (uint32_t t = 0; t < last; t++) {
        if (strcasecmp(tmpl->tasks[t].task_template_id, tmpl->tasks[last].task_template_id) == 0) {
            job_errf(err, err_len, "tasks %u and %u both use taskTemplateId %s", (unsigned)t,
                     (unsigned)last, tmpl->tasks[last].task_template_id);
            return -1;
        }
    }
    return 0;
}

static int read_task(const xmlNode *element, job_template_body_t *tmpl, char *err,
                     size_t err_len)
{
    job_template_task_t *task = &tmpl->tasks[tmpl->task_count];
    char reason[JOB_ERR_LEN];
    if (read_task_template_id(element, task->task_template_id, reason, sizeof(reason)) != 0 ||
        check_id_unused(tmpl, reason, sizeof(reason)) != 0 ||
        task_body_read_element(element, &task->body, reason, sizeof(reason)) != 0) {
        job_errf(err, err_len, "JobTemplateBody: task %u: %s", (unsigned)tmpl->task_count, reason);
        return -1;
    }
    tmpl->task_count++;
    return 0;
}

static int reject_node(const xmlNode *node, char *err, size_t err_len)
{
    char quote[QUOTE_CAP];
    if (node->type == XML_ELEMENT_NODE) {
        const char *name = job_xml_name(node);
        job_errf(err, err_len, "JobTemplateBody: unexpected element <%s> in <jobTemplate>; a job "
                 "template holds only <taskBody>", job_err_quote(name, strlen(name), quote,
                                                                 sizeof(quote)));
    } else if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
        size_t len = strlen((const char *)node->content);
        const char *text = job_text_trim((const char *)node->content, &len);
        job_errf(err, err_len, "JobTemplateBody: unexpected text \"%s\" in <jobTemplate>",
                 job_err_quote(text, len, quote, sizeof(quote)));
    } else {
        job_errf(err, err_len, "JobTemplateBody: unexpected XML node (type %d) in <jobTemplate>",
                 (int)node->type);
    }
    return -1;
}

static int read_tasks(const xmlNode *root, job_template_body_t *tmpl, char *err, size_t err_len)
{
    for (const xmlNode *child = root->children; child != NULL; child = child->next) {
        if (job_xml_is_ignorable(child)) {
            continue;
        }
        if (child->type != XML_ELEMENT_NODE || strcmp(job_xml_name(child), "taskBody") != 0) {
            return reject_node(child, err, err_len);
        }
        if (tmpl->task_count == JOB_MAX_TASKS) {
            job_errf(err, err_len, "JobTemplateBody: more than %d <taskBody> elements; the limit "
                     "is %d tasks per job", JOB_MAX_TASKS, JOB_MAX_TASKS);
            return -1;
        }
        if (read_task(child, tmpl, err, err_len) != 0) {
            return -1;
        }
    }
    if (tmpl->task_count == 0) {
        job_errf(err, err_len, "JobTemplateBody: no <taskBody>; a job template needs at least one "
                 "task");
        return -1;
    }
    return 0;
}

static int read_root(const xmlDoc *doc, job_template_body_t *tmpl, char *err, size_t err_len)
{
    const xmlNode *root = xmlDocGetRootElement(doc);
    if (strcmp(job_xml_name(root), "jobTemplate") != 0) {
        char quote[QUOTE_CAP];
        const char *name = job_xml_name(root);
        job_errf(err, err_len, "JobTemplateBody: the document element is <%s>, expected "
                 "<jobTemplate>", job_err_quote(name, strlen(name), quote, sizeof(quote)));
        return -1;
    }
    return read_tasks(root, tmpl, err, err_len);
}

int job_template_body_parse(const char *xml, size_t len, job_template_body_t *tmpl,
                            char *err, size_t err_len)
{
    memset(tmpl, 0, sizeof(*tmpl));
    xmlDocPtr doc = job_xml_read(xml, len, JOB_TEMPLATE_BODY_MAX_CHARS, "JobTemplateBody", err,
                                 err_len);
    if (doc == NULL) {
        return -1;
    }
    int rc = read_root(doc, tmpl, err, err_len);
    xmlFreeDoc(doc);
    if (rc != 0) {
        memset(tmpl, 0, sizeof(*tmpl));
    }
    return rc;
}

uint32_t job_template_body_tasks(const job_template_body_t *tmpl,
                                 const task_body_t *tasks[JOB_MAX_TASKS])
{
    uint32_t count = tmpl->task_count <= JOB_MAX_TASKS ? tmpl->task_count : JOB_MAX_TASKS;
    for (uint32_t t = 0; t < count; t++) {
        tasks[t] = &tmpl->tasks[t].body;
    }
    return count;
}
