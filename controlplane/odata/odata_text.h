/*
 * odata_text.h — character positions in UTF-8 text for length(), indexof()
 * and substring().  Characters are Unicode code points (.NET counts UTF-16
 * units; the two differ only outside the BMP); an invalid byte counts as one
 * character, so every byte string has a well-defined length.
 */
#ifndef ODATA_TEXT_H
#define ODATA_TEXT_H

#include <stddef.h>

/* Number of characters in s[0..len). */
size_t odata_text_char_count(const char *s, size_t len);

/* Byte offset where character number `chars` starts (len if past the end). */
size_t odata_text_byte_offset(const char *s, size_t len, size_t chars);

/* First occurrence of needle in s as a byte offset, or -1 (empty needle: 0). */
long odata_text_find(const char *s, size_t len, const char *needle, size_t nlen);

#endif
