/*
 * key_guid.c — GUID text parsing/formatting, the .NET byte-order swap and the
 * "nb:kid:UUID:" content key Id form.
 */
#include "key_guid.h"

#include <string.h>
#include <strings.h>

#include "key_status.h"
#include "util/text_codec.h"

/* Offsets in the 36-character text where a hyphen stands. */
static int is_hyphen_position(size_t i)
{
    return i == 8 || i == 13 || i == 18 || i == 23;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Parses exactly GUID_TEXT_LEN characters at s. */
static int guid_parse_plain(const char *s, uint8_t out[16])
{
    size_t nibble = 0;
    uint8_t bytes[16] = { 0 };
    for (size_t i = 0; i < GUID_TEXT_LEN; i++) {
        if (is_hyphen_position(i)) {
            if (s[i] != '-')
                return KEY_ERR_ARGUMENT;
            continue;
        }
        int v = hex_value(s[i]);
        if (v < 0)
            return KEY_ERR_ARGUMENT;
        bytes[nibble / 2] = (uint8_t)(bytes[nibble / 2] << 4 | v);
        nibble++;
    }
    memcpy(out, bytes, 16);
    return KEY_OK;
}

int guid_parse(const char *s, uint8_t out[16])
{
    if (s == NULL || out == NULL)
        return KEY_ERR_ARGUMENT;
    size_t len = strlen(s);
    if (len == GUID_TEXT_LEN)
        return guid_parse_plain(s, out);
    if (len == GUID_TEXT_LEN + 2 && s[0] == '{' && s[len - 1] == '}')
        return guid_parse_plain(s + 1, out);
    return KEY_ERR_ARGUMENT;
}

void guid_format(const uint8_t rfc[16], char out[GUID_TEXT_LEN + 1])
{
    static const uint8_t group_bytes[] = { 4, 2, 2, 2, 6 };
    size_t pos = 0, byte = 0;

    for (size_t g = 0; g < sizeof(group_bytes); g++) {
        if (g > 0)
            out[pos++] = '-';
        pos += (size_t) hex_encode(rfc + byte, group_bytes[g], out + pos,
                                   GUID_TEXT_LEN + 1 - pos, 0);
        byte += group_bytes[g];
    }
    out[pos] = '\0';
}

void guid_to_dotnet_bytes(const uint8_t rfc[16], uint8_t out[16])
{
    uint8_t tmp[16];
    static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6,
                                       8, 9, 10, 11, 12, 13, 14, 15 };
    for (size_t i = 0; i < 16; i++)
        tmp[i] = rfc[order[i]];
    memcpy(out, tmp, 16);                /* out may alias rfc */
}

int content_key_id_parse(const char *id, uint8_t out[16])
{
    size_t prefix_len = sizeof(CONTENT_KEY_ID_PREFIX) - 1;
    if (id == NULL || strncasecmp(id, CONTENT_KEY_ID_PREFIX, prefix_len) != 0)
        return KEY_ERR_ARGUMENT;
    return guid_parse(id + prefix_len, out);
}

void content_key_id_format(const uint8_t rfc[16], char out[CONTENT_KEY_ID_LEN + 1])
{
    size_t prefix_len = sizeof(CONTENT_KEY_ID_PREFIX) - 1;
    memcpy(out, CONTENT_KEY_ID_PREFIX, prefix_len);
    guid_format(rfc, out + prefix_len);
}
