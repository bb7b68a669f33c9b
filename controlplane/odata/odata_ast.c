/*
 * odata_ast.c — allocation of $filter syntax-tree nodes: creation, adding
 * children (tracking the tree's height for the depth limit) and freeing.
 */
#include "odata/odata_ast.h"

#include <stdlib.h>

odata_node_t *odata_node_new(odata_node_kind_t kind, size_t pos, odata_type_t type)
{
    odata_node_t *n = calloc(1, sizeof(*n));
    if (n != NULL) {
        n->kind = kind;
        n->pos = pos;
        n->type = type;
        n->height = 1;
        n->literal = odata_value_null();
    }
    return n;
}

bool odata_node_add(odata_node_t *parent, odata_node_t *child)
{
    /* grow by doubling: n-ary and/or nodes can collect thousands of children */
    size_t count = parent->count;
    if ((count & (count - 1)) == 0) {
        size_t cap = count ? count * 2 : 1;
        odata_node_t **grown = realloc(parent->children, cap * sizeof(*grown));
        if (grown == NULL) {
            odata_node_free(child);
            return false;
        }
        parent->children = grown;
    }
    parent->children[parent->count++] = child;
    if (child->height + 1 > parent->height) {
        parent->height = child->height + 1;
    }
    return true;
}

void odata_node_free(odata_node_t *node)
{
    if (node == NULL) {
        return;
    }
    for (size_t i = 0; i < node->count; i++) {
        odata_node_free(node->children[i]);
    }
    free(node->children);
    odata_value_release(&node->literal);
    free(node->path);
    free(node);
}
