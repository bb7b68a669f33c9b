/*
 * blob_mime.c — extension to MIME type, one table (see blob_mime.h).
 */
#include "storage/blob_mime.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

const char *blob_mime_type(const char *name)
{
    static const struct { const char *ext, *type; } types[] = {
        { ".mp4", "video/mp4" }, { ".m4a", "audio/mp4" }, { ".m4v", "video/mp4" },
        { ".mov", "video/quicktime" }, { ".ism", "application/octet-stream" },
        { ".ismc", "application/octet-stream" }, { ".mkv", "video/x-matroska" },
        { ".ts", "video/mp2t" }, { ".wav", "audio/wav" }, { ".mp3", "audio/mpeg" },
        { ".jpg", "image/jpeg" }, { ".png", "image/png" }, { ".vtt", "text/vtt" },
        { ".json", "application/json" }, { ".xml", "application/xml" },
    };
    const char *dot = strrchr(name, '.');

    for (size_t i = 0; dot != NULL && i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcasecmp(dot, types[i].ext) == 0) {
            return types[i].type;
        }
    }
    return "application/octet-stream";
}
