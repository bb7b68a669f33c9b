/*
 * test_scratch.c — the per-thread cache of large buffers (core/mp_scratch.c):
 * a released buffer comes back for the next request that fits it, at most
 * MP_SCRATCH_KEEP are kept (the biggest), and one above MP_SCRATCH_MAX is
 * never kept.
 */
#include "unit_helpers.h"

#include "mp_scratch.h"

static void test_reuse_and_bounds(void **state)
{
    (void) state;
    size_t cap_a, cap_b, cap_c, cap;
    void *a = mp_scratch_get(300000, &cap_a);
    assert_non_null(a);
    assert_true(cap_a >= 300000 && cap_a % (256u << 10) == 0);
    mp_scratch_put(a, cap_a);
    assert_ptr_equal(mp_scratch_get(200000, &cap), a);      /* reused: fits */
    assert_int_equal(cap, cap_a);
    void *b = mp_scratch_get(2u << 20, &cap_b);               /* a is taken: a new one */
    void *c = mp_scratch_get(4u << 20, &cap_c);
    assert_ptr_not_equal(b, a);
    mp_scratch_put(a, cap_a);
    mp_scratch_put(b, cap_b);
    mp_scratch_put(c, cap_c);                                  /* a, the smallest, goes */
    void *d = mp_scratch_get(3u << 20, &cap);
    assert_ptr_equal(d, c);                                    /* best fit among b, c */
    mp_scratch_put(d, cap);
    void *e = mp_scratch_get(100, &cap);
    assert_ptr_equal(e, b);                                    /* a was evicted */
    mp_scratch_put(e, cap);
    /* over the bound: never kept */
    void *big = mp_scratch_get(MP_SCRATCH_MAX + 1, &cap);
    assert_non_null(big);
    mp_scratch_put(big, cap);
    void *again = mp_scratch_get(MP_SCRATCH_MAX + 1, &cap);
    mp_scratch_put(again, cap);
    mp_scratch_put(NULL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reuse_and_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
