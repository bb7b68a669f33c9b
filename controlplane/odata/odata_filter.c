/*
 * odata_filter.c — recursive-descent parser of $filter into the syntax tree
 * of odata_ast.h, with schema-free type checks, depth/length limits and
 * positioned messages; plus freeing and the property walk.  Precedence,
 * loosest first: or, and, eq/ne, gt/ge/lt/le, add/sub, mul/div/mod, then
 * the unary not and '-'.  Evaluation is in odata_eval.c.
 */
#include "odata/odata_filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odata/odata_ast.h"
#include "odata/odata_functions.h"
#include "odata/odata_literal.h"
#include "odata/odata_path.h"

typedef struct {
    odata_lexer_t lx;
    char *err;
    size_t errlen;
    bool failed;
    unsigned depth;       /* recursion through (), calls, not and '-' */
} parser_t;

typedef struct {
    const char *word;
    int op;
} operator_t;

static const operator_t equality_ops[] = { { "eq", ODATA_CMP_EQ }, { "ne", ODATA_CMP_NE }, { NULL, 0 } };
static const operator_t relational_ops[] = {
    { "gt", ODATA_CMP_GT }, { "ge", ODATA_CMP_GE }, { "lt", ODATA_CMP_LT }, { "le", ODATA_CMP_LE }, { NULL, 0 }
};
static const operator_t additive_ops[] = { { "add", ODATA_ARITH_ADD }, { "sub", ODATA_ARITH_SUB }, { NULL, 0 } };
static const operator_t multiplicative_ops[] = {
    { "mul", ODATA_ARITH_MUL }, { "div", ODATA_ARITH_DIV }, { "mod", ODATA_ARITH_MOD }, { NULL, 0 }
};

static odata_node_t *parse_or(parser_t *p);
static odata_node_t *parse_unary(parser_t *p);

/* ---- errors and limits ---- */

static odata_node_t *fail_expected(parser_t *p, const char *expected)
{
    if (!p->failed) {
        odata_error_expected(&p->lx, expected, p->err, p->errlen);
        p->failed = true;
    }
    return NULL;
}

static odata_node_t *fail_at(parser_t *p, const char *kind, size_t pos, const char *what)
{
    if (!p->failed) {
        odata_error_set(p->err, p->errlen, "%s at position %zu: %s", kind, pos, what);
        p->failed = true;
    }
    return NULL;
}

static odata_node_t *fail_too_deep(parser_t *p, size_t pos)
{
    char what[64];
    snprintf(what, sizeof(what), "expression nested too deeply (limit %d)", ODATA_QUERY_MAX_DEPTH);
    return fail_at(p, "syntax error", pos, what);
}

static bool enter(parser_t *p)
{
    if (++p->depth > ODATA_QUERY_MAX_DEPTH) {
        fail_too_deep(p, p->lx.tok.pos);
        return false;
    }
    return true;
}

/* Adds child to parent, enforcing the height limit; frees both on failure. */
static odata_node_t *attach(parser_t *p, odata_node_t *parent, odata_node_t *child)
{
    if (child == NULL || !odata_node_add(parent, child)) {
        odata_node_free(parent);
        return child == NULL ? NULL : fail_at(p, "error", p->lx.tok.pos, "out of memory");
    }
    if (parent->height > ODATA_QUERY_MAX_DEPTH) {
        size_t pos = child->pos;
        odata_node_free(parent);   /* and child with it */
        return fail_too_deep(p, pos);
    }
    return parent;
}

static odata_node_t *new_node(parser_t *p, odata_node_kind_t kind, size_t pos, odata_type_t type)
{
    odata_node_t *n = odata_node_new(kind, pos, type);
    return n ? n : fail_at(p, "error", pos, "out of memory");
}

/* ---- schema-free type checks ---- */

static bool may_be(odata_type_t actual, odata_type_t wanted)
{
    if (actual == ODATA_TYPE_ANY || actual == ODATA_TYPE_NULL || actual == wanted) {
        return true;
    }
    if (wanted == ODATA_TYPE_STRING) {
        return actual == ODATA_TYPE_GUID;
    }
    return wanted == ODATA_TYPE_DATETIME && actual == ODATA_TYPE_STRING;
}

static const char *type_name(odata_type_t t)
{
    switch (t) {
    case ODATA_TYPE_BOOL:
        return "boolean";
    case ODATA_TYPE_STRING:
        return "string";
    case ODATA_TYPE_NUMBER:
        return "number";
    default:
        return "datetime";
    }
}

static odata_node_t *check_operand(parser_t *p, odata_node_t *n, odata_type_t wanted, const char *op)
{
    if (n == NULL || may_be(n->type, wanted)) {
        return n;
    }
    char what[96];
    size_t pos = n->pos;
    snprintf(what, sizeof(what), "operand of '%s' must be a %s", op, type_name(wanted));
    odata_node_free(n);
    return fail_at(p, "type error", pos, what);
}

/* ---- grammar ---- */

static const operator_t *at_operator(const parser_t *p, const operator_t *ops)
{
    for (; ops->word; ops++) {
        if (odata_lexer_at_word(&p->lx, ops->word)) {
            return ops;
        }
    }
    return NULL;
}

/* logical: left ('word' right)*, collected into one n-ary node */
static odata_node_t *parse_logical(parser_t *p, const char *word, odata_node_kind_t kind,
                                   odata_node_t *(*operand)(parser_t *))
{
    size_t pos = p->lx.tok.pos;
    odata_node_t *first = operand(p);
    if (first == NULL || !odata_lexer_at_word(&p->lx, word)) {
        return first;
    }
    first = check_operand(p, first, ODATA_TYPE_BOOL, word);
    odata_node_t *n = first ? new_node(p, kind, pos, ODATA_TYPE_BOOL) : NULL;
    n = n ? attach(p, n, first) : (odata_node_free(first), NULL);
    while (n != NULL && odata_lexer_at_word(&p->lx, word)) {
        odata_lexer_advance(&p->lx);
        n = attach(p, n, check_operand(p, operand(p), ODATA_TYPE_BOOL, word));
    }
    return n;
}

/* binary, left-associative: left (op right)* */
static odata_node_t *parse_binary(parser_t *p, const operator_t *ops, odata_node_kind_t kind,
                                  odata_node_t *(*operand)(parser_t *))
{
    odata_node_t *left = operand(p);
    const operator_t *op;
    bool arith = kind == ODATA_NODE_ARITH;
    odata_type_t type = arith ? ODATA_TYPE_NUMBER : ODATA_TYPE_BOOL;
    while (left != NULL && (op = at_operator(p, ops)) != NULL) {
        if (arith && check_operand(p, left, ODATA_TYPE_NUMBER, op->word) == NULL) {
            return NULL;
        }
        odata_node_t *n = new_node(p, kind, p->lx.tok.pos, type);
        if (n == NULL) {
            odata_node_free(left);
            return NULL;
        }
        n->op = op->op;
        odata_lexer_advance(&p->lx);
        n = attach(p, n, left);
        odata_node_t *right = n ? operand(p) : NULL;
        left = n ? attach(p, n, arith ? check_operand(p, right, ODATA_TYPE_NUMBER, op->word) : right) : NULL;
    }
    return left;
}

static odata_node_t *parse_multiplicative(parser_t *p)
{
    return parse_binary(p, multiplicative_ops, ODATA_NODE_ARITH, parse_unary);
}

static odata_node_t *parse_additive(parser_t *p)
{
    return parse_binary(p, additive_ops, ODATA_NODE_ARITH, parse_multiplicative);
}

static odata_node_t *parse_relational(parser_t *p)
{
    return parse_binary(p, relational_ops, ODATA_NODE_COMPARE, parse_additive);
}

static odata_node_t *parse_equality(parser_t *p)
{
    return parse_binary(p, equality_ops, ODATA_NODE_COMPARE, parse_relational);
}

static odata_node_t *parse_and(parser_t *p)
{
    return parse_logical(p, "and", ODATA_NODE_AND, parse_equality);
}

static odata_node_t *parse_or(parser_t *p)
{
    return parse_logical(p, "or", ODATA_NODE_OR, parse_and);
}

static odata_type_t type_of_value(odata_value_kind_t kind)
{
    switch (kind) {
    case ODATA_VALUE_INT:
    case ODATA_VALUE_REAL:
        return ODATA_TYPE_NUMBER;
    case ODATA_VALUE_STRING:
        return ODATA_TYPE_STRING;
    case ODATA_VALUE_DATETIME:
        return ODATA_TYPE_DATETIME;
    case ODATA_VALUE_GUID:
        return ODATA_TYPE_GUID;
    case ODATA_VALUE_BOOL:
        return ODATA_TYPE_BOOL;
    case ODATA_VALUE_NULL:
        return ODATA_TYPE_NULL;
    default:
        return ODATA_TYPE_ANY;
    }
}

static odata_node_t *parse_literal(parser_t *p)
{
    char what[96];
    odata_value_t v;
    size_t pos = p->lx.tok.pos;
    if (!odata_literal_read(&p->lx, &v, what, sizeof(what))) {
        return fail_at(p, "syntax error", pos, what);
    }
    odata_node_t *n = new_node(p, ODATA_NODE_LITERAL, pos, type_of_value(v.kind));
    if (n == NULL) {
        odata_value_release(&v);
        return NULL;
    }
    n->literal = v;
    odata_lexer_advance(&p->lx);
    return n;
}

static odata_node_t *parse_keyword_literal(parser_t *p, odata_value_t v, odata_type_t type)
{
    odata_node_t *n = new_node(p, ODATA_NODE_LITERAL, p->lx.tok.pos, type);
    if (n != NULL) {
        n->literal = v;
        odata_lexer_advance(&p->lx);
    }
    return n;
}

static odata_node_t *fail_arity(parser_t *p, odata_node_t *call, const odata_function_t *fn, size_t pos)
{
    char what[96];
    if (fn->max_args > fn->min_args) {
        snprintf(what, sizeof(what), "function '%s' takes %u or %u arguments", fn->name, fn->min_args,
                 fn->max_args);
    } else {
        snprintf(what, sizeof(what), "function '%s' takes %u argument%s", fn->name, fn->min_args,
                 fn->min_args == 1 ? "" : "s");
    }
    odata_node_free(call);
    return fail_at(p, "syntax error", pos, what);
}

static odata_node_t *check_arguments(parser_t *p, odata_node_t *call, const odata_function_t *fn, size_t pos)
{
    if (call->count < fn->min_args) {
        return fail_arity(p, call, fn, pos);
    }
    for (size_t i = 0; i < call->count; i++) {
        if (!may_be(call->children[i]->type, fn->arg_types[i])) {
            char what[96];
            snprintf(what, sizeof(what), "argument %zu of '%s' must be a %s", i + 1, fn->name,
                     type_name(fn->arg_types[i]));
            pos = call->children[i]->pos;
            odata_node_free(call);
            return fail_at(p, "type error", pos, what);
        }
    }
    return call;
}

/* [expr (',' expr)*] up to the closing parenthesis (not consumed) */
static odata_node_t *parse_arguments(parser_t *p, odata_node_t *call, const odata_function_t *fn, size_t pos)
{
    while (call != NULL && p->lx.tok.kind != ODATA_TOK_RPAREN) {
        if (call->count > 0) {
            if (p->lx.tok.kind != ODATA_TOK_COMMA) {
                odata_node_free(call);
                return fail_expected(p, "expected ',' or ')'");
            }
            odata_lexer_advance(&p->lx);
        }
        if (call->count == fn->max_args) {
            return fail_arity(p, call, fn, pos);
        }
        call = attach(p, call, parse_or(p));
    }
    return call;
}

static odata_node_t *fail_unknown_function(parser_t *p)
{
    char what[96];
    int len = p->lx.tok.len < 32 ? (int) p->lx.tok.len : 32;
    snprintf(what, sizeof(what), "unknown function '%.*s'", len, odata_lexer_token_text(&p->lx));
    return fail_at(p, "syntax error", p->lx.tok.pos, what);
}

/* name '(' [expr (',' expr)*] ')' — the lexer is on the name */
static odata_node_t *parse_call(parser_t *p)
{
    size_t pos = p->lx.tok.pos;
    const odata_function_t *fn = odata_function_find(odata_lexer_token_text(&p->lx), p->lx.tok.len);
    if (fn == NULL) {
        return fail_unknown_function(p);
    }
    odata_node_t *call = new_node(p, ODATA_NODE_CALL, pos, fn->result);
    if (call == NULL || !enter(p)) {
        odata_node_free(call);
        return NULL;
    }
    call->op = fn->id;
    odata_lexer_advance(&p->lx);   /* name */
    odata_lexer_advance(&p->lx);   /* ( */
    call = parse_arguments(p, call, fn, pos);
    p->depth--;
    if (call == NULL) {
        return NULL;
    }
    odata_lexer_advance(&p->lx);   /* ) */
    return check_arguments(p, call, fn, pos);
}

static odata_node_t *parse_property(parser_t *p)
{
    const char *error = NULL;
    size_t pos = p->lx.tok.pos;
    char *path = odata_path_read(&p->lx, &error);
    if (path == NULL) {
        return fail_expected(p, error);
    }
    odata_node_t *n = new_node(p, ODATA_NODE_PROPERTY, pos, ODATA_TYPE_ANY);
    if (n == NULL) {
        free(path);
        return NULL;
    }
    n->path = path;
    return n;
}

static odata_node_t *parse_identifier(parser_t *p)
{
    if (odata_lexer_at_word(&p->lx, "true")) {
        return parse_keyword_literal(p, odata_value_bool(true), ODATA_TYPE_BOOL);
    }
    if (odata_lexer_at_word(&p->lx, "false")) {
        return parse_keyword_literal(p, odata_value_bool(false), ODATA_TYPE_BOOL);
    }
    if (odata_lexer_at_word(&p->lx, "null")) {
        return parse_keyword_literal(p, odata_value_null(), ODATA_TYPE_NULL);
    }
    odata_lexer_t ahead = p->lx;
    odata_lexer_advance(&ahead);
    return ahead.tok.kind == ODATA_TOK_LPAREN ? parse_call(p) : parse_property(p);
}

static odata_node_t *parse_parenthesized(parser_t *p)
{
    if (!enter(p)) {
        return NULL;
    }
    odata_lexer_advance(&p->lx);
    odata_node_t *n = parse_or(p);
    p->depth--;
    if (n == NULL) {
        return NULL;
    }
    if (p->lx.tok.kind != ODATA_TOK_RPAREN) {
        odata_node_free(n);
        return fail_expected(p, "expected ')'");
    }
    odata_lexer_advance(&p->lx);
    return n;
}

static odata_node_t *parse_primary(parser_t *p)
{
    switch (p->lx.tok.kind) {
    case ODATA_TOK_LPAREN:
        return parse_parenthesized(p);
    case ODATA_TOK_STRING:
    case ODATA_TOK_NUMBER:
    case ODATA_TOK_TYPED:
        return parse_literal(p);
    case ODATA_TOK_IDENT:
        return parse_identifier(p);
    default:
        return fail_expected(p, "expected an expression");
    }
}

/* 'not' unary | '-' unary | primary */
static odata_node_t *parse_unary(parser_t *p)
{
    bool is_not = odata_lexer_at_word(&p->lx, "not");
    if (!is_not && p->lx.tok.kind != ODATA_TOK_MINUS) {
        return parse_primary(p);
    }
    odata_type_t type = is_not ? ODATA_TYPE_BOOL : ODATA_TYPE_NUMBER;
    odata_node_t *n = new_node(p, is_not ? ODATA_NODE_NOT : ODATA_NODE_NEGATE, p->lx.tok.pos, type);
    if (n == NULL || !enter(p)) {
        odata_node_free(n);
        return NULL;
    }
    odata_lexer_advance(&p->lx);
    n = attach(p, n, check_operand(p, parse_unary(p), type, is_not ? "not" : "-"));
    p->depth--;
    return n;
}

/* ---- public API ---- */

odata_filter_t *odata_filter_parse(const char *text, char *err, size_t errlen)
{
    size_t len;
    if (!odata_error_check_length(text, "$filter", &len, err, errlen)) {
        return NULL;
    }
    parser_t p = { .err = err, .errlen = errlen };
    odata_lexer_init(&p.lx, text, len);
    odata_node_t *root = parse_or(&p);
    if (root != NULL && p.lx.tok.kind != ODATA_TOK_END) {
        odata_node_free(root);
        root = fail_expected(&p, "expected an operator");
    }
    if (root != NULL && !may_be(root->type, ODATA_TYPE_BOOL)) {
        odata_node_free(root);
        root = fail_at(&p, "type error", 0, "$filter must be a boolean expression");
    }
    odata_filter_t *f = root ? malloc(sizeof(*f)) : NULL;
    if (f == NULL) {
        if (root != NULL) {
            fail_at(&p, "error", 0, "out of memory");
        }
        odata_node_free(root);
        return NULL;
    }
    f->root = root;
    return f;
}

static int visit_properties(const odata_node_t *n, int (*fn)(const char *, void *), void *arg)
{
    if (n->kind == ODATA_NODE_PROPERTY) {
        return fn(n->path, arg);
    }
    for (size_t i = 0; i < n->count; i++) {
        int rc = visit_properties(n->children[i], fn, arg);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

int odata_filter_foreach_property(const odata_filter_t *f, int (*fn)(const char *name, void *arg), void *arg)
{
    return f ? visit_properties(f->root, fn, arg) : 0;
}

void odata_filter_free(odata_filter_t *f)
{
    if (f != NULL) {
        odata_node_free(f->root);
        free(f);
    }
}
