/*
 * odata_batch.h — the request side of OData v3 $batch: a multipart/mixed
 * body (RFC 2046) whose parts are either single HTTP requests
 * (application/http: query operations, GET only) or changesets (a nested
 * multipart/mixed of modifying requests that succeed or fail together).
 * Parsing is pure text work, independent of the HTTP server and the catalog;
 * the result points into the parser's own copy of the body.
 */
#ifndef ODATA_BATCH_H
#define ODATA_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#define ODATA_BATCH_MAX_OPS        1000  /* operations in one batch, all parts */
#define ODATA_BATCH_MAX_CHANGESETS 100   /* as WCF Data Services' default */
#define ODATA_BATCH_MAX_HEADERS    32    /* headers of one operation */
#define ODATA_BATCH_BOUNDARY_MAX   70    /* RFC 2046 */

typedef struct {
    const char *name;
    const char *value;
} odata_batch_header_t;

typedef struct {
    const char *method;               /* "GET", "POST", "MERGE", … */
    const char *url;                  /* as written: absolute, /api/…, relative, $1/… */
    const char *content_id;           /* Content-ID of the MIME part or the request; NULL */
    odata_batch_header_t headers[ODATA_BATCH_MAX_HEADERS];
    size_t      nheaders;
    const char *body;                 /* body_len bytes (not NUL-terminated) */
    size_t      body_len;
    int         changeset;            /* -1: query operation; else the changeset's ordinal */
} odata_batch_op_t;

typedef struct {
    char             *buf;            /* the parser's copy of the body */
    odata_batch_op_t *ops;            /* in request order; a changeset's ops are adjacent */
    size_t            nops;
    size_t            cap;
    size_t            nchangesets;
} odata_batch_t;

/* The boundary parameter of a multipart/mixed Content-Type (quoted or not).
 * Returns 0, or -1 if the type is not multipart/mixed with a valid boundary. */
int odata_batch_boundary(const char *content_type, char *out, size_t cap);

/* Parses a $batch body.  Returns 0, or -1 with a message for the client
 * (the batch is then empty).  Free with odata_batch_free either way. */
int odata_batch_parse(const char *content_type, const char *body, size_t len, odata_batch_t *out,
                      char *err, size_t errlen);
void odata_batch_free(odata_batch_t *b);

/* A header of an operation (case-insensitive name), or NULL. */
const char *odata_batch_header(const odata_batch_op_t *op, const char *name);

#endif
