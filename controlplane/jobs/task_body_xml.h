/*
 * task_body_xml.h — reading a <taskBody> element out of an already parsed
 * document; shared by TaskBody (the element is the root) and JobTemplateBody
 * (one per task).  Internal to controlplane/jobs.
 */
#ifndef TASK_BODY_XML_H
#define TASK_BODY_XML_H

#include <stddef.h>

#include <libxml/tree.h>

#include "jobs/task_body.h"

/* Reads the children of a <taskBody> element into body and checks it with
 * task_body_check.  Returns 0, or -1 with err (no "TaskBody" prefix). */
int task_body_read_element(const xmlNode *element, task_body_t *body, char *err, size_t err_len);

#endif
