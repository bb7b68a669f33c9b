/*
 * task_body_xml.c — turns the children of a parsed <taskBody> element into
 * a task_body_t: <inputAsset>/<outputAsset> text as asset references, the
 * <outputAsset> attributes, and a message naming whatever does not fit.
 */
#include "jobs/task_body_xml.h"

#include <string.h>

#include <libxml/tree.h>

#include "jobs/job_error.h"
#include "jobs/job_text.h"
#include "jobs/job_xml.h"

#define QUOTE_CAP (JOB_ERR_QUOTE_MAX + 8)

static const char *role_tag(task_asset_role_t role)
{
    return role == TASK_ASSET_INPUT ? "inputAsset" : "outputAsset";
}

static int reject_unexpected_node(const xmlNode *node, const char *inside, char *err,
                                  size_t err_len)
{
    char quote[QUOTE_CAP];
    if (node->type == XML_ELEMENT_NODE) {
        const char *name = job_xml_name(node);
        bool in_body = strcmp(inside, "taskBody") == 0;
        job_errf(err, err_len, "unexpected element <%s> in <%s>%s",
                 job_err_quote(name, strlen(name), quote, sizeof(quote)), inside,
                 in_body ? "; a task body holds only <inputAsset> and <outputAsset>" : "");
    } else if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
        size_t len = strlen((const char *)node->content);
        const char *text = job_text_trim((const char *)node->content, &len);
        job_errf(err, err_len, "unexpected text \"%s\" in <%s>",
                 job_err_quote(text, len, quote, sizeof(quote)), inside);
    } else {
        job_errf(err, err_len, "unexpected XML node (type %d) in <%s>", (int)node->type, inside);
    }
    return -1;
}

static int check_only_text(const xmlNode *element, const char *tag, char *err, size_t err_len)
{
    for (const xmlNode *child = element->children; child != NULL; child = child->next) {
        bool text = child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE;
        if (!text && !job_xml_is_ignorable(child)) {
            return reject_unexpected_node(child, tag, err, err_len);
        }
    }
    return 0;
}

static int explain_reference(job_asset_ref_status_t status, const char *text, size_t len,
                             const char *tag, char *err, size_t err_len)
{
    char quote[QUOTE_CAP];
    job_err_quote(text, len, quote, sizeof(quote));
    if (len == 0) {
        job_errf(err, err_len, "<%s> is empty; expected JobInputAsset(i) or JobOutputAsset(j)", tag);
    } else if (status == JOB_ASSET_REF_TOO_LARGE) {
        job_errf(err, err_len, "<%s> %s: the index must be below %d (a job has at most %d assets)",
                 tag, quote, JOB_MAX_ASSETS, JOB_MAX_ASSETS);
    } else {
        job_errf(err, err_len, "<%s> \"%s\" is not JobInputAsset(i) or JobOutputAsset(j)", tag,
                 quote);
    }
    return -1;
}

static int read_reference(const xmlNode *element, task_asset_t *asset, char *err, size_t err_len)
{
    const char *tag = role_tag(asset->role);
    if (check_only_text(element, tag, err, err_len) != 0) {
        return -1;
    }
    xmlChar *content = xmlNodeGetContent(element);
    const char *text = content != NULL ? (const char *)content : "";
    size_t len = strlen(text);
    job_asset_ref_status_t status = job_asset_ref_parse(text, len, &asset->ref);
    int rc = 0;
    if (status != JOB_ASSET_REF_OK) {
        text = job_text_trim(text, &len);
        rc = explain_reference(status, text, len, tag, err, err_len);
    } else if (asset->role == TASK_ASSET_OUTPUT && asset->ref.kind != JOB_OUTPUT_ASSET) {
        job_errf(err, err_len, "<outputAsset> JobInputAsset(%u): an output must be JobOutputAsset(j)",
                 (unsigned)asset->ref.index);
        rc = -1;
    }
    xmlFree(content);
    return rc;
}

static int copy_string_attribute(const xmlNode *element, const char *attribute, char *out,
                                 size_t max, const char *ref_text, char *err, size_t err_len)
{
    xmlChar *value = xmlGetNoNsProp(element, (const xmlChar *)attribute);
    if (value == NULL) {
        return 0;
    }
    size_t len = strlen((const char *)value);
    int rc = 0;
    if (len > max) {
        job_errf(err, err_len, "%s of %s is longer than %zu bytes", attribute, ref_text, max);
        rc = -1;
    } else {
        memcpy(out, value, len + 1);
    }
    xmlFree(value);
    return rc;
}

/* Decimal without sign, whitespace around allowed; -1 if not that. */
static long parse_small_number(const char *text)
{
    size_t len = strlen(text);
    text = job_text_trim(text, &len);
    if (len == 0 || len > 9) {
        return -1;
    }
    long value = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9') {
            return -1;
        }
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

static int read_option(const xmlNode *element, const char *attribute, bool *has, uint32_t *out,
                       const char *expected, bool (*allowed)(long), const char *ref_text,
                       char *err, size_t err_len)
{
    xmlChar *value = xmlGetNoNsProp(element, (const xmlChar *)attribute);
    if (value == NULL) {
        return 0;
    }
    long number = parse_small_number((const char *)value);
    int rc = 0;
    if (number < 0 || !allowed(number)) {
        char quote[QUOTE_CAP];
        const char *text = (const char *)value;
        job_errf(err, err_len, "%s of %s is \"%s\"; expected %s", attribute, ref_text,
                 job_err_quote(text, strlen(text), quote, sizeof(quote)), expected);
        rc = -1;
    } else {
        *has = true;
        *out = (uint32_t)number;
    }
    xmlFree(value);
    return rc;
}

static bool creation_option_allowed(long v)
{
    return v == ASSET_CREATION_NONE || v == ASSET_CREATION_STORAGE_ENCRYPTED ||
           v == ASSET_CREATION_COMMON_ENCRYPTION_PROTECTED ||
           v == ASSET_CREATION_ENVELOPE_ENCRYPTION_PROTECTED;
}

static bool format_option_allowed(long v)
{
    return v == ASSET_FORMAT_NONE || v == ASSET_FORMAT_ADAPTIVE_STREAMING;
}

static int read_output_attributes(const xmlNode *element, task_asset_t *asset, char *err,
                                  size_t err_len)
{
    char ref_text[JOB_ASSET_REF_TEXT_MAX];
    job_asset_ref_format(asset->ref, ref_text);
    if (copy_string_attribute(element, "assetName", asset->name, TASK_ASSET_NAME_MAX, ref_text,
                              err, err_len) != 0 ||
        copy_string_attribute(element, "storageAccountName", asset->storage_account,
                              TASK_STORAGE_ACCOUNT_MAX, ref_text, err, err_len) != 0) {
        return -1;
    }
    if (read_option(element, "assetCreationOptions", &asset->has_creation_options,
                    &asset->creation_options,
                    "0 (None), 1 (StorageEncrypted), 2 (CommonEncryptionProtected) or "
                    "4 (EnvelopeEncryptionProtected)",
                    creation_option_allowed, ref_text, err, err_len) != 0) {
        return -1;
    }
    return read_option(element, "assetFormatOption", &asset->has_format_option,
                       &asset->format_option, "0 (None) or 1 (AdaptiveStreaming)",
                       format_option_allowed, ref_text, err, err_len);
}

static int read_asset(const xmlNode *element, task_asset_role_t role, task_asset_t *asset,
                      char *err, size_t err_len)
{
    asset->role = role;
    if (read_reference(element, asset, err, err_len) != 0) {
        return -1;
    }
    return role == TASK_ASSET_OUTPUT ? read_output_attributes(element, asset, err, err_len) : 0;
}

static int role_of(const xmlNode *node, task_asset_role_t *role)
{
    if (node->type != XML_ELEMENT_NODE) {
        return -1;
    }
    if (strcmp(job_xml_name(node), "inputAsset") == 0) {
        *role = TASK_ASSET_INPUT;
    } else if (strcmp(job_xml_name(node), "outputAsset") == 0) {
        *role = TASK_ASSET_OUTPUT;
    } else {
        return -1;
    }
    return 0;
}

int task_body_read_element(const xmlNode *element, task_body_t *body, char *err, size_t err_len)
{
    memset(body, 0, sizeof(*body));
    for (const xmlNode *child = element->children; child != NULL; child = child->next) {
        task_asset_role_t role;
        if (job_xml_is_ignorable(child)) {
            continue;
        }
        if (role_of(child, &role) != 0) {
            return reject_unexpected_node(child, "taskBody", err, err_len);
        }
        if (body->count == JOB_MAX_ASSETS_PER_TASK) {
            job_errf(err, err_len, "more than %d <inputAsset>/<outputAsset> elements; the limit "
                     "is %d assets per task", JOB_MAX_ASSETS_PER_TASK, JOB_MAX_ASSETS_PER_TASK);
            return -1;
        }
        if (read_asset(child, role, &body->assets[body->count], err, err_len) != 0) {
            return -1;
        }
        body->count++;
    }
    return task_body_check(body, err, err_len);
}
