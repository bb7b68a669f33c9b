/*
 * odata_eval.c — evaluates a parsed $filter against one entity with
 * three-valued logic: null (unknown) propagates through not/and/or the SQL
 * way and a filter matches only when it yields true.  Comparisons follow
 * odata_value_compare; arithmetic that overflows or divides by zero is null.
 */
#include "odata/odata_filter.h"

#include <math.h>

#include "odata/odata_ast.h"
#include "odata/odata_functions.h"
#include "odata/odata_path.h"

typedef enum { TRUTH_FALSE, TRUTH_TRUE, TRUTH_UNKNOWN } truth_t;

static odata_value_t eval(const odata_node_t *n, const json_t *entity);

/* Consumes v. */
static truth_t truth_of(odata_value_t v)
{
    truth_t t = v.kind != ODATA_VALUE_BOOL ? TRUTH_UNKNOWN : v.boolean ? TRUTH_TRUE : TRUTH_FALSE;
    odata_value_release(&v);
    return t;
}

static odata_value_t value_of_truth(truth_t t)
{
    return t == TRUTH_UNKNOWN ? odata_value_null() : odata_value_bool(t == TRUTH_TRUE);
}

/* and: any false -> false; else any unknown -> null.  or: the dual. */
static odata_value_t eval_logical(const odata_node_t *n, const json_t *entity)
{
    truth_t decisive = n->kind == ODATA_NODE_AND ? TRUTH_FALSE : TRUTH_TRUE;
    bool unknown = false;
    for (size_t i = 0; i < n->count; i++) {
        truth_t t = truth_of(eval(n->children[i], entity));
        if (t == decisive) {
            return value_of_truth(decisive);
        }
        unknown |= t == TRUTH_UNKNOWN;
    }
    return unknown ? odata_value_null() : odata_value_bool(decisive != TRUTH_TRUE);
}

static odata_value_t eval_not(const odata_node_t *n, const json_t *entity)
{
    truth_t t = truth_of(eval(n->children[0], entity));
    return t == TRUTH_UNKNOWN ? odata_value_null() : odata_value_bool(t == TRUTH_FALSE);
}

static bool holds(odata_compare_op_t op, odata_order_t order)
{
    switch (op) {
    case ODATA_CMP_EQ:
        return order == ODATA_ORDER_EQUAL;
    case ODATA_CMP_NE:
        return order == ODATA_ORDER_LESS || order == ODATA_ORDER_GREATER || order == ODATA_ORDER_UNEQUAL;
    case ODATA_CMP_GT:
        return order == ODATA_ORDER_GREATER;
    case ODATA_CMP_GE:
        return order == ODATA_ORDER_GREATER || order == ODATA_ORDER_EQUAL;
    case ODATA_CMP_LT:
        return order == ODATA_ORDER_LESS;
    default:
        return order == ODATA_ORDER_LESS || order == ODATA_ORDER_EQUAL;
    }
}

static odata_value_t eval_compare(const odata_node_t *n, const json_t *entity)
{
    odata_value_t a = eval(n->children[0], entity);
    odata_value_t b = eval(n->children[1], entity);
    odata_compare_op_t op = (odata_compare_op_t) n->op;
    bool ordering = op != ODATA_CMP_EQ && op != ODATA_CMP_NE;
    bool with_null = a.kind == ODATA_VALUE_NULL || b.kind == ODATA_VALUE_NULL;
    /* null is unordered, even against null: gt/ge/lt/le are false */
    bool result = !(ordering && with_null) && holds(op, odata_value_compare(&a, &b));
    odata_value_release(&a);
    odata_value_release(&b);
    return odata_value_bool(result);
}

static odata_value_t int_arith(odata_arith_op_t op, int64_t a, int64_t b)
{
    int64_t r;
    bool overflow;
    switch (op) {
    case ODATA_ARITH_ADD:
        overflow = __builtin_add_overflow(a, b, &r);
        break;
    case ODATA_ARITH_SUB:
        overflow = __builtin_sub_overflow(a, b, &r);
        break;
    case ODATA_ARITH_MUL:
        overflow = __builtin_mul_overflow(a, b, &r);
        break;
    case ODATA_ARITH_DIV:
        overflow = b == 0 || (a == INT64_MIN && b == -1);
        r = overflow ? 0 : a / b;
        break;
    default:
        overflow = b == 0;
        r = overflow || b == -1 ? 0 : a % b;
        break;
    }
    return overflow ? odata_value_null() : odata_value_int(r);
}

static double as_double(const odata_value_t *v)
{
    return v->kind == ODATA_VALUE_INT ? (double) v->integer : v->real;
}

static odata_value_t real_arith(odata_arith_op_t op, double a, double b)
{
    switch (op) {
    case ODATA_ARITH_ADD:
        return odata_value_real(a + b);
    case ODATA_ARITH_SUB:
        return odata_value_real(a - b);
    case ODATA_ARITH_MUL:
        return odata_value_real(a * b);
    case ODATA_ARITH_DIV:
        return b == 0 ? odata_value_null() : odata_value_real(a / b);
    default:
        return b == 0 ? odata_value_null() : odata_value_real(fmod(a, b));
    }
}

static odata_value_t eval_arith(const odata_node_t *n, const json_t *entity)
{
    odata_value_t a = eval(n->children[0], entity), b = eval(n->children[1], entity), x, y;
    odata_value_t r = odata_value_null();
    if (odata_value_as_number(&a, &x) && odata_value_as_number(&b, &y)) {
        odata_arith_op_t op = (odata_arith_op_t) n->op;
        bool both_int = x.kind == ODATA_VALUE_INT && y.kind == ODATA_VALUE_INT;
        r = both_int ? int_arith(op, x.integer, y.integer) : real_arith(op, as_double(&x), as_double(&y));
    }
    odata_value_release(&a);
    odata_value_release(&b);
    return r;
}

static odata_value_t eval_negate(const odata_node_t *n, const json_t *entity)
{
    odata_value_t a = eval(n->children[0], entity), x;
    odata_value_t r = odata_value_null();
    if (odata_value_as_number(&a, &x)) {
        if (x.kind == ODATA_VALUE_REAL) {
            r = odata_value_real(-x.real);
        } else if (x.integer != INT64_MIN) {
            r = odata_value_int(-x.integer);
        }
    }
    odata_value_release(&a);
    return r;
}

static odata_value_t eval_call(const odata_node_t *n, const json_t *entity)
{
    odata_value_t args[ODATA_FUNCTION_MAX_ARGS];
    for (size_t i = 0; i < n->count; i++) {
        args[i] = eval(n->children[i], entity);
    }
    odata_value_t r = odata_function_call((odata_function_id_t) n->op, args, n->count);
    for (size_t i = 0; i < n->count; i++) {
        odata_value_release(&args[i]);
    }
    return r;
}

static odata_value_t eval(const odata_node_t *n, const json_t *entity)
{
    odata_value_t v;
    switch (n->kind) {
    case ODATA_NODE_LITERAL:
        v = n->literal;
        v.owned = NULL;   /* borrowed from the tree */
        return v;
    case ODATA_NODE_PROPERTY:
        return odata_value_from_json(odata_path_lookup(entity, n->path));
    case ODATA_NODE_AND:
    case ODATA_NODE_OR:
        return eval_logical(n, entity);
    case ODATA_NODE_NOT:
        return eval_not(n, entity);
    case ODATA_NODE_COMPARE:
        return eval_compare(n, entity);
    case ODATA_NODE_ARITH:
        return eval_arith(n, entity);
    case ODATA_NODE_NEGATE:
        return eval_negate(n, entity);
    default:
        return eval_call(n, entity);
    }
}

bool odata_filter_match(const odata_filter_t *f, const json_t *entity)
{
    return f != NULL && truth_of(eval(f->root, entity)) == TRUTH_TRUE;
}
