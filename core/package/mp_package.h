/*
 * mp_package.h — the packager's single entry point, independent of nginx:
 * from a parsed URL and the indexes of an asset's files to a response
 * (content type, exact length, body).  The nginx glue only resolves files,
 * fetches indexes and sends what this describes.
 *
 *   1. mp_asset_files():        which files the asset needs (.ism entries or the .mp4)
 *   2. mp_presentation_build(): tracks of those files as the URL sees them
 *   3. mp_package():            the response
 */
#ifndef MP_PACKAGE_H
#define MP_PACKAGE_H

#include "../cmaf/fmp4_mux.h"
#include "../mp_producer.h"
#include "../ism/ism_parse.h"
#include "../url/mp_url.h"

typedef struct {
    uint32_t count;
    const char *names[ISM_MAX_ENTRIES];  /* point into the ism_t (or NULL = the asset itself) */
} mp_file_list_t;

typedef struct {
    uint64_t hls_segment_10m;     /* target HLS segment duration */
    uint64_t fragment_10m;        /* target DASH / Smooth fragment duration */
} mp_package_conf_t;

typedef enum {
    MP_BODY_BUFFER = 1,           /* whole body in head (manifests, init segments) */
    MP_BODY_RANGES,               /* head, then file ranges of one file (fMP4 segments) */
    MP_BODY_STREAM                /* produced: stream_open(stream_recipe, sources) */
} mp_body_kind_t;

typedef struct {
    mp_body_kind_t kind;
    const char *content_type;
    mp_wr_t head;                 /* dynamic writer; free with mp_response_free */
    uint64_t content_length;      /* exact, known before any media byte is read */
    int is_manifest;              /* for cache-control: manifests vs segments */
    /* MP_BODY_RANGES */
    uint32_t range_file;          /* file_no the ranges refer to */
    uint32_t range_count;
    mp_range_t *ranges;           /* malloc()ed */
    /* MP_BODY_STREAM: content_length is the producer's size at open */
    mp_producer_open_pt stream_open;
    void *stream_recipe;          /* malloc()ed */
    void (*stream_recipe_free)(void *recipe);   /* NULL: free() */
} mp_response_t;

/* The files an asset needs.  ism == NULL for a single .mp4 asset. */
void mp_asset_files(const ism_t *ism, mp_file_list_t *out);

/* Tracks from the files' indexes (indexes[i] belongs to files->names[i]).
 * Returns MP_OK or MP_ERR_BAD_MEDIA with a reason (e.g. trackID not found). */
int mp_presentation_build(mp_presentation_t *p, const ism_t *ism, const mp_file_list_t *files,
                          const mp_index_t *const *indexes, char *err, size_t err_len);

/* Build the response for req.  Returns MP_OK, MP_ERR_BAD_REQUEST,
 * MP_ERR_NOT_FOUND, MP_ERR_BAD_MEDIA or MP_ERR_NO_MEMORY, with err set. */
int mp_package(const mp_request_t *req, const mp_presentation_t *p, const mp_package_conf_t *conf,
               mp_response_t *out, char *err, size_t err_len);

/* The same with a timeline the caller built (and may cache) with
 * mp_timeline_build(p, mp_package_target(req, conf), &tl). */
uint64_t mp_package_target(const mp_request_t *req, const mp_package_conf_t *conf);
int mp_package_with_timeline(const mp_request_t *req, const mp_presentation_t *p,
                             const mp_timeline_t *tl, mp_response_t *out, char *err,
                             size_t err_len);

/* An MP_BODY_RANGES response as MP_BODY_STREAM (the same bytes through a
 * producer: for files whose bytes must pass through the process, e.g.
 * storage-encrypted ones, decrypted by their source).  Other kinds are
 * left alone.  MP_OK or MP_ERR_NO_MEMORY. */
int mp_response_ranges_as_stream(mp_response_t *res);

/* length bytes at offset of file file_no as a produced body (progressive
 * download of a file that must pass through the process).  res is
 * initialised here.  MP_OK or MP_ERR_NO_MEMORY. */
int mp_response_file_stream(mp_response_t *res, uint32_t file_no, uint64_t offset,
                            uint64_t length, const char *content_type);

void mp_response_free(mp_response_t *r);

#endif
