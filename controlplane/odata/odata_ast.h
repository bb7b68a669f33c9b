/*
 * odata_ast.h — the syntax tree of a parsed $filter, shared by the parser
 * (odata_filter.c), the evaluator (odata_eval.c) and the built-in functions.
 * Internal to controlplane/odata; callers use odata_filter.h.
 */
#ifndef ODATA_AST_H
#define ODATA_AST_H

#include <stdbool.h>
#include <stddef.h>

#include "odata/odata_value.h"

/* What an expression yields, as far as the parser can tell without a schema:
 * property references are ANY. */
typedef enum {
    ODATA_TYPE_ANY,
    ODATA_TYPE_NULL,
    ODATA_TYPE_BOOL,
    ODATA_TYPE_STRING,
    ODATA_TYPE_NUMBER,
    ODATA_TYPE_DATETIME,
    ODATA_TYPE_GUID
} odata_type_t;

typedef enum {
    ODATA_NODE_LITERAL,
    ODATA_NODE_PROPERTY,
    ODATA_NODE_AND,       /* n-ary, so long conjunctions stay shallow */
    ODATA_NODE_OR,        /* n-ary */
    ODATA_NODE_NOT,
    ODATA_NODE_COMPARE,   /* op: odata_compare_op_t */
    ODATA_NODE_ARITH,     /* op: odata_arith_op_t */
    ODATA_NODE_NEGATE,
    ODATA_NODE_CALL       /* op: odata_function_id_t */
} odata_node_kind_t;

typedef enum { ODATA_CMP_EQ, ODATA_CMP_NE, ODATA_CMP_GT, ODATA_CMP_GE, ODATA_CMP_LT, ODATA_CMP_LE } odata_compare_op_t;
typedef enum { ODATA_ARITH_ADD, ODATA_ARITH_SUB, ODATA_ARITH_MUL, ODATA_ARITH_DIV, ODATA_ARITH_MOD } odata_arith_op_t;

typedef struct odata_node {
    odata_node_kind_t kind;
    int op;
    odata_type_t type;
    unsigned height;            /* 1 for leaves; bounded by ODATA_QUERY_MAX_DEPTH */
    size_t pos;                 /* byte offset in the expression, for messages */
    odata_value_t literal;      /* LITERAL (owns its string) */
    char *path;                 /* PROPERTY: "Name" or "A/B" */
    struct odata_node **children;
    size_t count;
} odata_node_t;

/* What odata_filter_t (odata_filter.h) is. */
struct odata_filter {
    odata_node_t *root;
};

/* A childless node (NULL when out of memory). */
odata_node_t *odata_node_new(odata_node_kind_t kind, size_t pos, odata_type_t type);

/* Appends child and raises parent's height; on allocation failure frees
 * child and returns false. */
bool odata_node_add(odata_node_t *parent, odata_node_t *child);

/* Frees a tree (recursion bounded by its height). */
void odata_node_free(odata_node_t *node);

#endif
