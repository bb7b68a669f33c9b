/*
 * job_error.h — error text of the job-body code.  Messages go to API users in
 * 400 responses, so they are always NUL-terminated, valid UTF-8 and free of
 * control characters, and quoted document text is cut short.
 */
#ifndef JOB_ERROR_H
#define JOB_ERROR_H

#include <stddef.h>

#define JOB_ERR_QUOTE_MAX 48          /* bytes of document text quoted in a message */

/* snprintf into err (if err_len > 0), then repair the result: invalid UTF-8
 * (a character cut by truncation included) becomes '?', control characters
 * become spaces. */
void job_errf(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Copies up to JOB_ERR_QUOTE_MAX bytes of text (len bytes) into buf, ending
 * at a character boundary with "…" when cut; returns buf.  cap must be at
 * least JOB_ERR_QUOTE_MAX + 4. */
const char *job_err_quote(const char *text, size_t len, char *buf, size_t cap);

#endif
