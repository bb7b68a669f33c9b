/*
 * blob_block_list.c — Put Block List XML to an ordered list of staged block
 * file names, with libxml2 (no network, no DTDs, no entity expansion beyond
 * the predefined ones).
 */
#include "blob_block_list.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

static bool name_is(const xmlNode *n, const char *name)
{
    return strcmp((const char *) n->name, name) == 0;
}

static bool is_blank(const xmlChar *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

static bool is_entry(const xmlNode *n)
{
    return n->type == XML_ELEMENT_NODE
        && (name_is(n, "Latest") || name_is(n, "Committed") || name_is(n, "Uncommitted"));
}

/* Counts the entries under root; BLOB_BAD_BLOCK_LIST on anything else but
 * whitespace, comments and processing instructions. */
static blob_status_t count_entries(const xmlNode *root, size_t *count)
{
    *count = 0;
    for (const xmlNode *n = root->children; n != NULL; n = n->next) {
        if (is_entry(n))
            ++*count;
        else if (n->type == XML_TEXT_NODE && is_blank(n->content))
            continue;
        else if (n->type != XML_COMMENT_NODE && n->type != XML_PI_NODE)
            return BLOB_BAD_BLOCK_LIST;
    }
    return *count > BLOB_MAX_BLOCKS ? BLOB_BLOCK_LIST_TOO_LONG : BLOB_OK;
}

/* The text of an entry, all of whose children must be text. */
static blob_status_t entry_text(const xmlNode *entry, xmlChar **text)
{
    for (const xmlNode *n = entry->children; n != NULL; n = n->next)
        if (n->type != XML_TEXT_NODE && n->type != XML_CDATA_SECTION_NODE)
            return BLOB_BAD_BLOCK_LIST;
    *text = xmlNodeGetContent(entry);
    return *text != NULL ? BLOB_OK : BLOB_BAD_BLOCK_LIST;
}

/* Staging file name of one entry's id, whitespace around it ignored. */
static blob_status_t entry_file(const xmlNode *entry, char file[BLOB_BLOCK_FILE_SIZE])
{
    xmlChar *text = NULL;
    blob_status_t st = entry_text(entry, &text);
    if (st != BLOB_OK)
        return st;
    const char *s = (const char *) text;
    size_t len = strlen(s);
    while (len > 0 && strchr(" \t\r\n", s[len - 1]))
        len--;
    while (len > 0 && strchr(" \t\r\n", *s))
        s++, len--;
    st = blob_block_file_name(s, len, file) == BLOB_OK ? BLOB_OK : BLOB_BAD_BLOCK_LIST;
    xmlFree(text);
    return st;
}

static blob_status_t collect_entries(const xmlNode *root, blob_block_list_t *list)
{
    size_t i = 0;
    for (const xmlNode *n = root->children; n != NULL; n = n->next) {
        if (!is_entry(n))
            continue;
        blob_status_t st = entry_file(n, list->files[i]);
        if (st != BLOB_OK)
            return st;
        if (i > 0 && strlen(list->files[i]) != strlen(list->files[0]))
            return BLOB_BAD_BLOCK_LIST;        /* Azure: one id length per blob */
        i++;
    }
    return BLOB_OK;
}

static int compare_files(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* BLOB_DUPLICATE_BLOCK when two entries name one block (sorted copy). */
static blob_status_t check_unique(const blob_block_list_t *list)
{
    const char **sorted = malloc(list->count * sizeof *sorted);
    if (sorted == NULL)
        return BLOB_IO;
    for (size_t i = 0; i < list->count; i++)
        sorted[i] = list->files[i];
    qsort(sorted, list->count, sizeof *sorted, compare_files);
    blob_status_t st = BLOB_OK;
    for (size_t i = 1; i < list->count && st == BLOB_OK; i++)
        if (strcmp(sorted[i - 1], sorted[i]) == 0)
            st = BLOB_DUPLICATE_BLOCK;
    free(sorted);
    return st;
}

static blob_status_t list_from_doc(const xmlDoc *doc, blob_block_list_t *list)
{
    const xmlNode *root = xmlDocGetRootElement(doc);
    if (root == NULL || doc->intSubset != NULL || doc->extSubset != NULL || !name_is(root, "BlockList"))
        return BLOB_BAD_BLOCK_LIST;
    blob_status_t st = count_entries(root, &list->count);
    if (st != BLOB_OK || list->count == 0)
        return st;
    list->files = calloc(list->count, sizeof *list->files);
    if (list->files == NULL)
        return BLOB_IO;
    st = collect_entries(root, list);
    return st == BLOB_OK ? check_unique(list) : st;
}

blob_status_t blob_block_list_parse(const char *xml, size_t len, blob_block_list_t *list)
{
    memset(list, 0, sizeof *list);
    if (len > BLOB_MAX_BLOCK_LIST_XML)
        return BLOB_TOO_LARGE;
    xmlInitParser();
    xmlDoc *doc = xmlReadMemory(xml, (int) len, NULL, NULL, PARSE_OPTIONS);
    if (doc == NULL)
        return BLOB_BAD_BLOCK_LIST;
    blob_status_t st = list_from_doc(doc, list);
    xmlFreeDoc(doc);
    if (st != BLOB_OK)
        blob_block_list_free(list);
    return st;
}

void blob_block_list_free(blob_block_list_t *list)
{
    free(list->files);
    list->files = NULL;
    list->count = 0;
}
