/*
 * job_text.h — small text rules of the job bodies: UTF-8 well-formedness,
 * the characters XML can carry, XML whitespace trimming, character counts.
 */
#ifndef JOB_TEXT_H
#define JOB_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the well-formed UTF-8 sequence at s (n bytes left, n > 0):
 * 1..4, or 0 if the bytes there are not one (overlong forms and surrogates
 * included). */
size_t job_utf8_sequence_length(const unsigned char *s, size_t n);

/* True when s (len bytes) is well-formed UTF-8 of XML 1.0 characters only
 * (no NUL, no C0 controls but tab/LF/CR, no U+FFFE/U+FFFF). */
bool job_text_is_xml_safe(const char *s, size_t len);

/* Characters (code points) in len bytes of UTF-8. */
size_t job_text_characters(const char *s, size_t len);

/* Strips XML whitespace (space, tab, CR, LF) from both ends: returns the
 * first kept byte and sets *len to the kept length. */
const char *job_text_trim(const char *s, size_t *len);

#endif
