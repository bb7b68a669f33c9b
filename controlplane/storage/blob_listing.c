/*
 * blob_listing.c — blob_list (declared in blob_store.h): reads a container's
 * directory, keeps committed blobs only (no dot names, regular files with
 * valid names) and reports them sorted by name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blob_fs.h"
#include "blob_store.h"

typedef struct {
    char *name;
    blob_info_t info;
} listed_blob_t;

typedef struct {
    listed_blob_t *items;
    size_t count;
    size_t cap;
} listing_t;

static void listing_free(listing_t *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i].name);
    free(l->items);
}

static blob_status_t listing_add(listing_t *l, const char *name, const struct stat *sb)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        listed_blob_t *items = realloc(l->items, cap * sizeof *items);
        if (items == NULL)
            return BLOB_IO;
        l->items = items;
        l->cap = cap;
    }
    char *copy = strdup(name);
    if (copy == NULL)
        return BLOB_IO;
    l->items[l->count].name = copy;
    blob_info_from_stat(sb, &l->items[l->count].info);
    l->count++;
    return BLOB_OK;
}

/* Adds `name` if it is a committed blob (a blob_fs_each_entry callback). */
static blob_status_t consider_entry(int dir_fd, const char *name, void *arg)
{
    listing_t *l = arg;
    if (!blob_name_ok(name))
        return BLOB_OK;             /* our dot-directories, strays */
    struct stat sb;
    if (fstatat(dir_fd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? BLOB_OK : BLOB_IO;   /* deleted meanwhile */
    return S_ISREG(sb.st_mode) ? listing_add(l, name, &sb) : BLOB_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const listed_blob_t *) a)->name, ((const listed_blob_t *) b)->name);
}

blob_status_t blob_list(const char *root, const char *container, blob_list_fn fn, void *arg)
{
    int dir_fd = -1;
    blob_status_t st = blob_fs_open_container(root, container, &dir_fd);
    if (st != BLOB_OK)
        return st;
    listing_t l = { 0 };
    st = blob_fs_each_entry(dir_fd, consider_entry, &l);
    close(dir_fd);
    if (st == BLOB_OK && l.count > 0) {
        qsort(l.items, l.count, sizeof *l.items, by_name);
        for (size_t i = 0; i < l.count && fn(l.items[i].name, &l.items[i].info, arg) == 0; i++)
            ;
    }
    listing_free(&l);
    return st;
}
