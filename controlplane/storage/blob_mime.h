/*
 * blob_mime.h — the MIME type of a blob from its name's extension: the
 * MimeType of Files rows and the Content-Type of SAS downloads.
 */
#ifndef BLOB_MIME_H
#define BLOB_MIME_H

/* A static string; "application/octet-stream" for unknown extensions. */
const char *blob_mime_type(const char *name);

#endif
