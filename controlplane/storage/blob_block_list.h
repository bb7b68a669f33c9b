/*
 * blob_block_list.h — parses the Put Block List body
 *   <?xml version="1.0" encoding="utf-8"?>
 *   <BlockList><Latest>id</Latest><Committed>id</Committed><Uncommitted>id</Uncommitted>...</BlockList>
 * (with libxml2) into the staging file names of its blocks, in list order.
 */
#ifndef BLOB_BLOCK_LIST_H
#define BLOB_BLOCK_LIST_H

#include <stddef.h>

#include "blob_staging.h"
#include "blob_status.h"

#define BLOB_MAX_BLOCKS 50000
#define BLOB_MAX_BLOCK_LIST_XML (4u << 20)

typedef struct {
    size_t count;
    char (*files)[BLOB_BLOCK_FILE_SIZE];   /* staging file name of each entry */
} blob_block_list_t;

/* Fills list from xml[0..len).  Errors: BLOB_TOO_LARGE (XML over 4 MiB),
 * BLOB_BLOCK_LIST_TOO_LONG (over 50,000 entries), BLOB_BAD_BLOCK_LIST (not
 * well-formed, has a DTD, root not BlockList, an element other than
 * Latest/Committed/Uncommitted, stray text, an id that is not base64 of 1..64
 * bytes, or ids of different lengths), BLOB_DUPLICATE_BLOCK (an id named
 * twice).  Surrounding whitespace in an id is ignored.  An empty <BlockList/> is valid (count 0).  On success free the
 * list with blob_block_list_free. */
blob_status_t blob_block_list_parse(const char *xml, size_t len, blob_block_list_t *list);

void blob_block_list_free(blob_block_list_t *list);

#endif
