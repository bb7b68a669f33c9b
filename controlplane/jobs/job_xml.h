/*
 * job_xml.h — the one way the job code reads XML (TaskBody, JobTemplateBody):
 * libxml2 from memory, hardened, with its errors turned into message text;
 * plus the small tree helpers both bodies use.
 */
#ifndef JOB_XML_H
#define JOB_XML_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

/* Initialises libxml2 once per process; safe from any thread, any number of
 * times.  job_xml_read calls it; a daemon may call it early from main. */
void job_xml_init(void);

/* Parses len bytes as one XML document; `what` ("TaskBody") names it in
 * messages.  Refuses: empty text, more than max_chars characters, NUL bytes,
 * any DTD (<!DOCTYPE>, so no entity is ever declared or expanded, nothing
 * external is loaded), XML or namespace errors.  The declared encoding is
 * ignored (text is UTF-8; the .NET SDK labels it utf-16).  Nothing is
 * printed.  Returns the document (caller xmlFreeDoc()s) or NULL with err set. */
xmlDocPtr job_xml_read(const char *xml, size_t len, size_t max_chars, const char *what,
                       char *err, size_t err_len);

/* The element's name as C text. */
const char *job_xml_name(const xmlNode *node);

/* True for text (or CDATA) made only of XML whitespace. */
bool job_xml_is_blank_text(const xmlNode *node);

/* True for nodes a reader skips: comments, processing instructions, blank text. */
bool job_xml_is_ignorable(const xmlNode *node);

#endif
