/*
 * job_xml.c — hardened libxml2 reading of the job bodies: one-time parser
 * initialisation, size and NUL checks, DTDs refused from a SAX hook before
 * their entities are read, the declared encoding ignored, and the first
 * libxml2 error captured as message text (nothing reaches stderr).
 */
#include "jobs/job_xml.h"

#include <pthread.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include "jobs/job_error.h"
#include "jobs/job_text.h"

typedef struct {
    const char *what;
    char *err;
    size_t err_len;
    bool failed;                  /* err holds the first problem */
} xml_capture_t;

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void init_libxml2(void)
{
    xmlInitParser();
}

void job_xml_init(void)
{
    pthread_once(&xml_once, init_libxml2);
}

static void capture_failure(xml_capture_t *cap, const char *message, int line)
{
    static const char not_utf8[] = "Input is not proper UTF-8";
    if (cap->failed) {
        return;
    }
    cap->failed = true;
    message = message != NULL ? message : "error";
    size_t n = strlen(message);
    while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == ' ')) {
        n--;
    }
    const char *bytes = strstr(message, "Bytes: ");
    if (strncmp(message, not_utf8, sizeof(not_utf8) - 1) == 0 && bytes != NULL) {
        /* libxml2 asks to "indicate encoding", which API users cannot do */
        size_t skip = (size_t)(bytes + 7 - message);
        job_errf(cap->err, cap->err_len, "%s is not valid UTF-8: line %d: bytes %.*s", cap->what,
                 line, (int)(n > skip ? n - skip : 0), bytes + 7);
        return;
    }
    job_errf(cap->err, cap->err_len, "%s is not well-formed XML: line %d: %.*s", cap->what,
             line, (int)n, message);
}

#if LIBXML_VERSION >= 21200
static void on_structured_error(void *user, const xmlError *error)
#else
static void on_structured_error(void *user, xmlErrorPtr error)
#endif
{
    xmlParserCtxtPtr ctxt = user;
    if (error->level >= XML_ERR_ERROR) {
        capture_failure(ctxt->_private, error->message, error->line);
    }
}

/* SAX start of <!DOCTYPE ...>: refuse it before the internal subset is read. */
static void on_doctype(void *user, const xmlChar *name, const xmlChar *external_id,
                       const xmlChar *system_id)
{
    (void)name;
    (void)external_id;
    (void)system_id;
    xmlParserCtxtPtr ctxt = user;
    xml_capture_t *cap = ctxt->_private;
    if (!cap->failed) {
        cap->failed = true;
        job_errf(cap->err, cap->err_len, "%s must not contain a DTD (<!DOCTYPE>)", cap->what);
    }
    xmlStopParser(ctxt);
}

/* Errors libxml2 raises without a parser context go to the thread's generic
 * handler; this one drops them (the parse fails through the context anyway). */
static void drop_generic_error(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static bool check_text(const char *xml, size_t len, size_t max_chars, const char *what,
                       char *err, size_t err_len)
{
    size_t kept = len;
    job_text_trim(xml, &kept);
    if (kept == 0) {
        job_errf(err, err_len, "%s is empty", what);
        return false;
    }
    if (len > 4 * max_chars || job_text_characters(xml, len) > max_chars) {
        job_errf(err, err_len, "%s is longer than %zu characters", what, max_chars);
        return false;
    }
    if (memchr(xml, '\0', len) != NULL) {
        job_errf(err, err_len, "%s contains a NUL character", what);
        return false;
    }
    return true;
}

static xmlDocPtr parse_checked(xmlParserCtxtPtr ctxt, xml_capture_t *cap)
{
    ctxt->_private = cap;
    ctxt->sax->serror = on_structured_error;
    ctxt->sax->internalSubset = on_doctype;
    ctxt->sax->externalSubset = NULL;
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC);

    xmlGenericErrorFunc saved_handler = xmlGenericError;
    void *saved_context = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(NULL, drop_generic_error);
    xmlParseDocument(ctxt);
    xmlSetGenericErrorFunc(saved_context, saved_handler);

    xmlDocPtr doc = ctxt->myDoc;
    ctxt->myDoc = NULL;
    bool ok = !cap->failed && ctxt->wellFormed && ctxt->nsWellFormed && doc != NULL &&
              xmlDocGetRootElement(doc) != NULL;
    if (!ok) {
        capture_failure(cap, "no document element", ctxt->input != NULL ? ctxt->input->line : 0);
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

xmlDocPtr job_xml_read(const char *xml, size_t len, size_t max_chars, const char *what,
                       char *err, size_t err_len)
{
    job_xml_init();
    if (!check_text(xml, len, max_chars, what, err, err_len)) {
        return NULL;
    }
    xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt(xml, (int)len);
    if (ctxt == NULL) {
        job_errf(err, err_len, "%s: out of memory", what);
        return NULL;
    }
    xml_capture_t cap = { .what = what, .err = err, .err_len = err_len, .failed = false };
    xmlDocPtr doc = parse_checked(ctxt, &cap);
    xmlFreeParserCtxt(ctxt);
    return doc;
}

const char *job_xml_name(const xmlNode *node)
{
    return (const char *)node->name;
}

bool job_xml_is_blank_text(const xmlNode *node)
{
    if (node->type != XML_TEXT_NODE && node->type != XML_CDATA_SECTION_NODE) {
        return false;
    }
    for (const xmlChar *c = node->content; c != NULL && *c != '\0'; c++) {
        if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r') {
            return false;
        }
    }
    return true;
}

bool job_xml_is_ignorable(const xmlNode *node)
{
    return node->type == XML_COMMENT_NODE || node->type == XML_PI_NODE ||
           job_xml_is_blank_text(node);
}
