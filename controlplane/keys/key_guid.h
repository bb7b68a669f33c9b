/*
 * key_guid.h — key identifiers: GUID text <-> 16 bytes in RFC 4122 order
 * (the order the text is written in, used by CENC/PSSH) and in .NET
 * Guid.ToByteArray() order (first three fields little-endian, used by the AMS
 * checksum and PlayReady), plus the AMS "nb:kid:UUID:<guid>" entity Id.
 */
#ifndef KEY_GUID_H
#define KEY_GUID_H

#include <stddef.h>
#include <stdint.h>

#define GUID_TEXT_LEN 36                 /* 8-4-4-4-12 hex digits, no NUL */
#define CONTENT_KEY_ID_PREFIX "nb:kid:UUID:"

/* Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (hex in either case), also
 * wrapped in braces, into RFC 4122 byte order.  KEY_ERR_ARGUMENT otherwise. */
int guid_parse(const char *s, uint8_t out[16]);

/* Writes the lowercase 36-character text and a NUL (as .NET Guid.ToString()). */
void guid_format(const uint8_t rfc[16], char out[GUID_TEXT_LEN + 1]);

/* RFC 4122 order -> .NET order.  The swap is its own inverse, so the same
 * call also turns .NET bytes back into RFC order. */
void guid_to_dotnet_bytes(const uint8_t rfc[16], uint8_t out[16]);

/* Parses an AMS content key Id "nb:kid:UUID:<guid>" (prefix compared
 * case-insensitively, as the .NET SDK does) into RFC 4122 byte order. */
int content_key_id_parse(const char *id, uint8_t out[16]);

/* Writes "nb:kid:UUID:" + the lowercase GUID and a NUL into out. */
#define CONTENT_KEY_ID_LEN (sizeof(CONTENT_KEY_ID_PREFIX) - 1 + GUID_TEXT_LEN)
void content_key_id_format(const uint8_t rfc[16], char out[CONTENT_KEY_ID_LEN + 1]);

#endif
