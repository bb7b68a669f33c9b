/*
 * enc_outdir.c — checks, clears and lists the output directory.
 */
#include "enc_outdir.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int is_dot(const char *name)
{
    return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

int enc_outdir_check(const char *dir, char *err, size_t err_len)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        snprintf(err, err_len, "--output-dir %s: %s", dir, strerror(errno));
        return -1;
    }
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d)) != NULL) {
        empty = empty && is_dot(e->d_name);
    }
    closedir(d);
    if (!empty) {
        snprintf(err, err_len, "--output-dir %s is not empty", dir);
        return -1;
    }
    return 0;
}

void enc_outdir_clear(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_dot(e->d_name)) {
            unlinkat(dirfd(d), e->d_name, 0);
        }
    }
    closedir(d);
}

int enc_outdir_list(const char *dir, void (*fn)(const char *name))
{
    struct dirent **list;
    int n = scandir(dir, &list, NULL, alphasort);
    int count = 0;
    for (int i = 0; i < n; i++) {
        if (!is_dot(list[i]->d_name)) {
            fn(list[i]->d_name);
            count++;
        }
        free(list[i]);
    }
    if (n >= 0) {
        free(list);
    }
    return count;
}
