/*
 * test_blob_quota.c — the upload limits of the blob store, each hit exactly:
 * at the bound accepted, one byte over refused (per blob, per container,
 * staged per container with expiry, the free-space floor), reservations of
 * bodies in flight, and no byte written for a refused block list.
 */
#define _GNU_SOURCE      /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/blob_store.h"

#define C "asset-0f8fad5b-d9cb-469f-a165-70867728950e"

typedef struct {
    char root[64];
    char cpath[256];
    blob_limits_t lim;
} fixture_t;

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void) sb, (void) flag, (void) ftw;
    return remove(path);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    strcpy(f->root, "/tmp/quotatest.XXXXXX");
    assert_non_null(mkdtemp(f->root));
    snprintf(f->cpath, sizeof f->cpath, "%s/%s", f->root, C);
    assert_int_equal(blob_container_create(f->root, C), BLOB_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    nftw(f->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    blob_quota_set_free_space_fn(NULL);
    free(f);
    return 0;
}

/* A body of len bytes ('x'), declared up front or not. */
static blob_status_t write_all(blob_writer_t *w, size_t len)
{
    char buf[256];
    memset(buf, 'x', sizeof buf);
    blob_status_t st = BLOB_OK;
    for (size_t off = 0; off < len && st == BLOB_OK; off += sizeof buf)
        st = blob_put_write(w, buf, len - off < sizeof buf ? len - off : sizeof buf);
    if (st != BLOB_OK) {
        blob_put_abort(w);
        return st;
    }
    return blob_put_finish(w, NULL, NULL);
}

static blob_status_t put(fixture_t *f, const char *name, size_t len, bool declared)
{
    blob_writer_t *w = NULL;
    blob_status_t st = blob_put_begin(f->root, C, name, &f->lim, declared ? len : BLOB_SIZE_UNKNOWN, &w);
    return st == BLOB_OK ? write_all(w, len) : st;
}

static blob_status_t stage(fixture_t *f, const char *name, const char *id, size_t len)
{
    blob_writer_t *w = NULL;
    blob_status_t st = blob_block_begin(f->root, C, name, id, &f->lim, len, &w);
    return st == BLOB_OK ? write_all(w, len) : st;
}

static blob_status_t commit(fixture_t *f, const char *name, const char *xml)
{
    return blob_block_list_commit(f->root, C, name, xml, strlen(xml), NULL, NULL, &f->lim, NULL);
}

static long long file_size(const fixture_t *f, const char *name)
{
    char path[512];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", f->cpath, name);
    return stat(path, &sb) == 0 ? (long long) sb.st_size : -1;
}

static int incoming_files(const fixture_t *f)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A %s/.incoming 2>/dev/null)\"", f->cpath);
    return system(cmd) == 0 ? 0 : 1;
}

/* ---- per blob ------------------------------------------------------------ */

static void test_blob_limit_put(void **state)
{
    fixture_t *f = *state;
    f->lim.max_blob = 1000;
    assert_int_equal(put(f, "at.mp4", 1000, true), BLOB_OK);
    assert_int_equal(put(f, "over.mp4", 1001, true), BLOB_BLOB_LIMIT);
    assert_int_equal(file_size(f, "over.mp4"), -1);
    /* undeclared (chunked): the writer stops at the limit */
    assert_int_equal(put(f, "chunked-at.mp4", 1000, false), BLOB_OK);
    assert_int_equal(put(f, "chunked-over.mp4", 1001, false), BLOB_TOO_LARGE);
    assert_int_equal(file_size(f, "chunked-over.mp4"), -1);
    assert_int_equal(incoming_files(f), 0);
}

static void test_blob_limit_block_list(void **state)
{
    fixture_t *f = *state;
    f->lim.max_blob = 1000;
    assert_int_equal(stage(f, "b.mp4", "AAAA", 600), BLOB_OK);
    assert_int_equal(stage(f, "b.mp4", "AAAB", 401), BLOB_OK);
    assert_int_equal(commit(f, "b.mp4", "<BlockList><Latest>AAAA</Latest><Latest>AAAB</Latest></BlockList>"),
                     BLOB_BLOB_LIMIT);
    assert_int_equal(file_size(f, "b.mp4"), -1);
    assert_int_equal(incoming_files(f), 0);
    assert_int_equal(stage(f, "b.mp4", "AAAB", 400), BLOB_OK);          /* restaged smaller */
    assert_int_equal(commit(f, "b.mp4", "<BlockList><Latest>AAAA</Latest><Latest>AAAB</Latest></BlockList>"),
                     BLOB_OK);
    assert_int_equal(file_size(f, "b.mp4"), 1000);
}

/* The attack, scaled down: one staged block named many times. */
static void test_repeated_block_writes_nothing(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(stage(f, "amp.mp4", "AAAA", 4096), BLOB_OK);
    char xml[64 + 300 * 24];
    char *p = xml + sprintf(xml, "<BlockList>");
    for (int i = 0; i < 300; i++)
        p += sprintf(p, "<Latest>AAAA</Latest>");
    sprintf(p, "</BlockList>");
    assert_int_equal(commit(f, "amp.mp4", xml), BLOB_DUPLICATE_BLOCK);
    assert_int_equal(file_size(f, "amp.mp4"), -1);
    assert_int_equal(incoming_files(f), 0);
}

/* ---- per container ------------------------------------------------------- */

static void test_container_limit(void **state)
{
    fixture_t *f = *state;
    f->lim.max_container = 3000;
    assert_int_equal(put(f, "a.mp4", 1000, true), BLOB_OK);
    assert_int_equal(stage(f, "b.mp4", "AAAA", 1000), BLOB_OK);
    assert_int_equal(commit(f, "b.mp4", "<BlockList><Latest>AAAA</Latest></BlockList>"), BLOB_OK);
    assert_int_equal(put(f, "c.mp4", 1001, true), BLOB_CONTAINER_LIMIT);
    assert_int_equal(put(f, "c.mp4", 1000, true), BLOB_OK);              /* exactly 3000 */
    assert_int_equal(put(f, "d.mp4", 0, true), BLOB_OK);                 /* nothing more: fine */
    assert_int_equal(put(f, "d.mp4", 1, true), BLOB_CONTAINER_LIMIT);
    assert_int_equal(put(f, "d.mp4", 1, false), BLOB_CONTAINER_LIMIT);   /* chunked: no room */
    /* replacing a blob counts its new size only */
    assert_int_equal(put(f, "a.mp4", 1000, true), BLOB_OK);
    assert_int_equal(put(f, "a.mp4", 1001, true), BLOB_CONTAINER_LIMIT);
    assert_int_equal(file_size(f, "a.mp4"), 1000);
    /* a block list is judged before it is joined */
    assert_int_equal(stage(f, "e.mp4", "AAAA", 1), BLOB_OK);
    assert_int_equal(commit(f, "e.mp4", "<BlockList><Latest>AAAA</Latest></BlockList>"), BLOB_CONTAINER_LIMIT);
    assert_int_equal(file_size(f, "e.mp4"), -1);
    /* a chunked body gets what is left, no more */
    assert_int_equal(put(f, "a.mp4", 500, true), BLOB_OK);
    assert_int_equal(put(f, "f.mp4", 501, false), BLOB_TOO_LARGE);
    assert_int_equal(put(f, "f.mp4", 500, false), BLOB_OK);
}

static void test_reservations_in_flight_count(void **state)
{
    fixture_t *f = *state;
    f->lim.max_container = 1000;
    blob_writer_t *w1 = NULL, *w2 = NULL;
    assert_int_equal(blob_put_begin(f->root, C, "one.mp4", &f->lim, 600, &w1), BLOB_OK);
    assert_int_equal(blob_put_begin(f->root, C, "two.mp4", &f->lim, 401, &w2), BLOB_CONTAINER_LIMIT);
    assert_int_equal(blob_put_begin(f->root, C, "two.mp4", &f->lim, 400, &w2), BLOB_OK);
    blob_put_abort(w1);                                  /* its reservation goes back */
    assert_int_equal(blob_put_begin(f->root, C, "one.mp4", &f->lim, 600, &w1), BLOB_OK);
    assert_int_equal(write_all(w1, 600), BLOB_OK);
    assert_int_equal(write_all(w2, 400), BLOB_OK);
    assert_int_equal(put(f, "three.mp4", 1, true), BLOB_CONTAINER_LIMIT);
}

/* ---- staged blocks ------------------------------------------------------- */

static void test_staged_limit(void **state)
{
    fixture_t *f = *state;
    f->lim.max_staged = 2000;
    assert_int_equal(stage(f, "s.mp4", "AAAA", 1000), BLOB_OK);
    assert_int_equal(stage(f, "t.mp4", "AAAA", 1000), BLOB_OK);          /* exactly 2000 */
    assert_int_equal(stage(f, "s.mp4", "AAAB", 1), BLOB_STAGED_LIMIT);
    assert_int_equal(stage(f, "s.mp4", "AAAB", 0), BLOB_OK);
    /* restaging a block of the same id is charged the difference */
    assert_int_equal(stage(f, "t.mp4", "AAAA", 1001), BLOB_STAGED_LIMIT);
    assert_int_equal(stage(f, "t.mp4", "AAAA", 1000), BLOB_OK);
    assert_int_equal(stage(f, "t.mp4", "AAAA", 400), BLOB_OK);
    assert_int_equal(stage(f, "t.mp4", "AAAB", 601), BLOB_STAGED_LIMIT);
    assert_int_equal(stage(f, "t.mp4", "AAAB", 600), BLOB_OK);
    /* committing frees the staged bytes */
    assert_int_equal(commit(f, "s.mp4", "<BlockList><Latest>AAAA</Latest><Latest>AAAB</Latest></BlockList>"),
                     BLOB_OK);
    assert_int_equal(commit(f, "t.mp4", "<BlockList><Latest>AAAA</Latest></BlockList>"), BLOB_OK);
    assert_int_equal(stage(f, "t.mp4", "AAAA", 1000), BLOB_OK);
    assert_int_equal(stage(f, "u.mp4", "AAAA", 1000), BLOB_OK);
    assert_int_equal(stage(f, "u.mp4", "AAAB", 1), BLOB_STAGED_LIMIT);
    /* deleting a blob drops its staged blocks */
    assert_int_equal(blob_delete(f->root, C, "s.mp4"), BLOB_OK);
    assert_int_equal(stage(f, "t.mp4", "AAAB", 1), BLOB_STAGED_LIMIT);
    assert_int_equal(put(f, "t.mp4", 10, true), BLOB_OK);               /* drops t's blocks */
    assert_int_equal(stage(f, "u.mp4", "AAAB", 1000), BLOB_OK);
    /* a block body in flight holds its bytes */
    blob_writer_t *w = NULL;
    assert_int_equal(blob_delete(f->root, C, "u.mp4"), BLOB_NOT_FOUND);
    assert_int_equal(put(f, "u.mp4", 1, true), BLOB_OK);
    assert_int_equal(blob_block_begin(f->root, C, "v.mp4", "AAAA", &f->lim, 1500, &w), BLOB_OK);
    assert_int_equal(stage(f, "v.mp4", "AAAB", 501), BLOB_STAGED_LIMIT);
    assert_int_equal(stage(f, "v.mp4", "AAAB", 500), BLOB_OK);
    blob_put_abort(w);
    assert_int_equal(stage(f, "v.mp4", "AAAC", 1500), BLOB_OK);
}

static void test_staged_expiry(void **state)
{
    fixture_t *f = *state;
    f->lim.max_staged = 1000;
    f->lim.staged_expiry = 3600;
    assert_int_equal(stage(f, "old.mp4", "AAAA", 1000), BLOB_OK);
    assert_int_equal(stage(f, "new.mp4", "AAAA", 1), BLOB_STAGED_LIMIT);
    /* the staging directory of old.mp4 was last touched two hours ago */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "touch -d '-2 hours' %s/.blocks/*", f->cpath);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(blob_delete(f->root, C, "nothing.mp4"), BLOB_NOT_FOUND);
    int fd = open(f->cpath, O_RDONLY | O_DIRECTORY);
    blob_quota_staged_changed(fd);                       /* as after any commit or delete */
    close(fd);
    assert_int_equal(stage(f, "new.mp4", "AAAA", 1000), BLOB_OK);
    assert_int_equal(commit(f, "old.mp4", "<BlockList><Latest>AAAA</Latest></BlockList>"), BLOB_BLOCK_NOT_FOUND);
}

/* ---- free space ---------------------------------------------------------- */

static blob_status_t ten_thousand_free(int dir_fd, uint64_t *free_bytes)
{
    (void) dir_fd;
    *free_bytes = 10000;
    return BLOB_OK;
}

static void test_free_space_floor(void **state)
{
    fixture_t *f = *state;
    f->lim.min_free = 9000;
    blob_quota_set_free_space_fn(ten_thousand_free);
    blob_writer_t *w = NULL;
    assert_int_equal(blob_put_begin(f->root, C, "a.mp4", &f->lim, 1001, &w), BLOB_NO_SPACE);
    assert_int_equal(blob_block_begin(f->root, C, "a.mp4", "AAAA", &f->lim, 1001, &w), BLOB_NO_SPACE);
    assert_int_equal(blob_put_begin(f->root, C, "a.mp4", &f->lim, 1000, &w), BLOB_OK);  /* leaves 9000 */
    /* while it is in flight only an empty body fits */
    assert_int_equal(put(f, "b.mp4", 1, true), BLOB_NO_SPACE);
    assert_int_equal(put(f, "b.mp4", 1, false), BLOB_NO_SPACE);
    assert_int_equal(put(f, "b.mp4", 0, true), BLOB_OK);
    blob_put_abort(w);
    assert_int_equal(put(f, "b.mp4", 600, false), BLOB_OK);             /* chunked: up to 1000 */
    assert_int_equal(put(f, "c.mp4", 1001, false), BLOB_TOO_LARGE);
    assert_int_equal(stage(f, "d.mp4", "AAAA", 1000), BLOB_OK);
    assert_int_equal(commit(f, "d.mp4", "<BlockList><Latest>AAAA</Latest></BlockList>"), BLOB_OK);
    f->lim.min_free = 10001;                                            /* already below */
    assert_int_equal(put(f, "e.mp4", 0, true), BLOB_NO_SPACE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_blob_limit_put, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blob_limit_block_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeated_block_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_container_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reservations_in_flight_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_staged_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_staged_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_space_floor, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
