/*
 * odata_path.c — reads `A/B/C` property paths off the lexer into one string
 * and walks them through nested JSON objects.
 */
#include "odata/odata_path.h"

#include <stdlib.h>
#include <string.h>

char *odata_path_read(odata_lexer_t *lx, const char **error)
{
    size_t start = lx->tok.pos, end = lx->tok.pos + lx->tok.len;
    odata_lexer_advance(lx);
    while (lx->tok.kind == ODATA_TOK_SLASH) {
        odata_lexer_advance(lx);
        if (lx->tok.kind != ODATA_TOK_IDENT) {
            *error = "expected a property name after '/'";
            return NULL;
        }
        end = lx->tok.pos + lx->tok.len;
        odata_lexer_advance(lx);
    }
    /* copy without any blanks written around the slashes */
    char *path = malloc(end - start + 1);
    size_t n = 0;
    if (path == NULL) {
        *error = "out of memory";
        return NULL;
    }
    for (size_t i = start; i < end; i++) {
        char c = lx->text[i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            path[n++] = c;
        }
    }
    path[n] = '\0';
    return path;
}

const json_t *odata_path_lookup(const json_t *entity, const char *path)
{
    const json_t *v = entity;
    for (;;) {
        const char *slash = strchr(path, '/');
        size_t len = slash ? (size_t) (slash - path) : strlen(path);
        if (!json_is_object(v)) {
            return NULL;
        }
        v = json_object_getn(v, path, len);
        if (v == NULL || slash == NULL) {
            return v;
        }
        path = slash + 1;
    }
}
