/*
 * test_blob_store.c — the blob storage layer (controlplane/storage/) against a
 * real filesystem in a fresh mkdtemp root per test: whole puts and read-back,
 * Content-MD5, abort, name validation and path traversal, staged blocks and
 * block-list commits, limits, bounded memory (heap measured through ASan's
 * allocator hooks), listing, deletion, moves between containers, sweeping,
 * symlink safety, and
 * durability: fsync, renameat and unlinkat are interposed below to record their order
 * and inject failures, and RLIMIT_FSIZE makes writes fail.
 */
#define _GNU_SOURCE      /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "storage/blob_store.h"
#include "util/text_codec.h"

#define C "asset-0f8fad5b-d9cb-469f-a165-70867728950e"

typedef struct {
    char root[64];
    char cpath[256];            /* root/C */
} fixture_t;

/* ---- helpers ------------------------------------------------------------ */

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void) sb, (void) flag, (void) ftw;
    return remove(path);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    strcpy(f->root, "/tmp/blobtest.XXXXXX");
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
    free(f);
    return 0;
}

/* Entries of a directory other than "." and ".."; -1 when it does not exist. */
static int count_entries(const char *dir_path)
{
    DIR *d = opendir(dir_path);
    if (d == NULL)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static int count_sub(const fixture_t *f, const char *sub)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", f->cpath, sub);
    return count_entries(path);
}

/* Whole put of data in one write; returns the status of finish (or earlier). */
static blob_status_t put(const fixture_t *f, const char *name, const void *data, size_t len,
                         const char *md5, char out[25])
{
    blob_writer_t *w = NULL;
    blob_status_t st = blob_put_begin(f->root, C, name, NULL, BLOB_SIZE_UNKNOWN, &w);
    if (st != BLOB_OK)
        return st;
    st = blob_put_write(w, data, len);
    if (st != BLOB_OK) {
        blob_put_abort(w);
        return st;
    }
    return blob_put_finish(w, md5, out);
}

static blob_status_t stage(const fixture_t *f, const char *name, const char *id, const char *data,
                           const char *md5)
{
    blob_writer_t *w = NULL;
    blob_status_t st = blob_block_begin(f->root, C, name, id, NULL, BLOB_SIZE_UNKNOWN, &w);
    if (st != BLOB_OK)
        return st;
    st = blob_put_write(w, data, strlen(data));
    if (st != BLOB_OK) {
        blob_put_abort(w);
        return st;
    }
    return blob_put_finish(w, md5, NULL);
}

static blob_status_t commit_xml(const fixture_t *f, const char *name, const char *xml)
{
    return blob_block_list_commit(f->root, C, name, xml, strlen(xml), NULL, NULL, NULL, NULL);
}

/* Reads a committed blob whole through blob_open_read (NUL-terminated, malloc'ed). */
static char *read_blob(const fixture_t *f, const char *name, uint64_t *size)
{
    int fd = -1;
    blob_info_t info;
    assert_int_equal(blob_open_read(f->root, C, name, &fd, &info), BLOB_OK);
    char *buf = malloc(info.size + 1);
    assert_non_null(buf);
    size_t got = 0;
    while (got < info.size) {
        ssize_t n = read(fd, buf + got, info.size - got);
        assert_true(n > 0);
        got += (size_t) n;
    }
    close(fd);
    buf[got] = '\0';
    *size = info.size;
    return buf;
}

static void assert_blob_equals(const fixture_t *f, const char *name, const char *expected)
{
    uint64_t size = 0;
    char *got = read_blob(f, name, &size);
    assert_int_equal(size, strlen(expected));
    assert_string_equal(got, expected);
    free(got);
}

static void assert_no_blob(const fixture_t *f, const char *name)
{
    blob_info_t info;
    assert_int_equal(blob_stat(f->root, C, name, &info), BLOB_NOT_FOUND);
}

static void md5_b64_of(const void *data, size_t len, char out[25])
{
    uint8_t md5[16];
    unsigned int n = 0;
    assert_int_equal(EVP_Digest(data, len, md5, &n, EVP_md5(), NULL), 1);
    EVP_EncodeBlock((unsigned char *) out, md5, 16);
}

/* ---- heap measurement through ASan's allocator hooks -------------------- */

#ifdef __SANITIZE_ADDRESS__
size_t __sanitizer_get_allocated_size(const volatile void *p);
int __sanitizer_install_malloc_and_free_hooks(void (*m)(const volatile void *, size_t),
                                              void (*fr)(const volatile void *));
static int64_t heap_now, heap_peak;
static int heap_tracking;

static void on_malloc(const volatile void *p, size_t n)
{
    (void) p;
    if (!heap_tracking)
        return;
    heap_now += (int64_t) n;
    if (heap_now > heap_peak)
        heap_peak = heap_now;
}

static void on_free(const volatile void *p)
{
    if (heap_tracking && p != NULL)
        heap_now -= (int64_t) __sanitizer_get_allocated_size(p);
}

static void heap_track_start(void)
{
    static int installed;
    if (!installed)
        installed = __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
    assert_true(installed);
    heap_now = heap_peak = 0;
    heap_tracking = 1;
}

/* Largest growth of the heap since heap_track_start. */
static int64_t heap_track_stop(void)
{
    heap_tracking = 0;
    return heap_peak;
}
#define HEAP_MEASURED 1
#else
static void heap_track_start(void) {}
static int64_t heap_track_stop(void) { return 0; }
#define HEAP_MEASURED 0
#endif

/* ---- fsync / renameat / unlinkat interposed: recorded in order, failures injected -- */

#define MAX_EVENTS 32
static char events[MAX_EVENTS][600];
static int event_count;
static int recording;
static const char *fail_fsync_under;     /* fsync of a path containing this fails with EIO */

static void path_of_fd(int fd, char *out, size_t cap)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, cap - 1);
    out[n < 0 ? 0 : n] = '\0';
}

static void record(const char *op, int fd, const char *name)
{
    if (!recording || event_count == MAX_EVENTS)
        return;
    char path[512];
    path_of_fd(fd, path, sizeof path);
    snprintf(events[event_count++], sizeof events[0], "%s %s%s%s", op, path, name ? "/" : "", name ? name : "");
}

int fsync(int fd)
{
    char path[512];
    record("fsync", fd, NULL);
    path_of_fd(fd, path, sizeof path);
    if (fail_fsync_under != NULL && strstr(path, fail_fsync_under) != NULL) {
        errno = EIO;
        return -1;
    }
    return (int) syscall(SYS_fsync, fd);
}

int renameat(int old_dir, const char *old_name, int new_dir, const char *new_name)
{
    record("rename", new_dir, new_name);
    return (int) syscall(SYS_renameat, old_dir, old_name, new_dir, new_name);
}

int unlinkat(int dir_fd, const char *name, int flags)
{
    record("unlink", dir_fd, name);
    return (int) syscall(SYS_unlinkat, dir_fd, name, flags);
}

static void record_start(void)
{
    event_count = 0;
    recording = 1;
}

/* Index of the first event at or after `from` that starts with `prefix`, or -1. */
static int find_event(int from, const char *prefix)
{
    for (int i = from < 0 ? 0 : from; i < event_count; i++)
        if (strncmp(events[i], prefix, strlen(prefix)) == 0)
            return i;
    return -1;
}

/* Asserts the events contain, in this order, each of the prefixes given. */
static void assert_events_in_order(const char *const *prefixes, int n)
{
    int at = 0;
    for (int i = 0; i < n; i++) {
        int found = find_event(at, prefixes[i]);
        if (found < 0) {
            for (int k = 0; k < event_count; k++)
                print_message("  event %d: %s\n", k, events[k]);
            fail_msg("missing, in order: %s", prefixes[i]);
        }
        at = found + 1;
    }
}

/* ---- status mapping ----------------------------------------------------- */

static void test_status_mapping(void **state)
{
    (void) state;
    static const struct { blob_status_t s; int http; const char *code; } want[] = {
        { BLOB_OK, 200, "Success" },
        { BLOB_BAD_NAME, 400, "InvalidResourceName" },
        { BLOB_NOT_FOUND, 404, "BlobNotFound" },
        { BLOB_CONTAINER_NOT_FOUND, 404, "ContainerNotFound" },
        { BLOB_BAD_MD5, 400, "InvalidMd5" },
        { BLOB_MD5_MISMATCH, 400, "Md5Mismatch" },
        { BLOB_BAD_BLOCK_ID, 400, "InvalidBlockId" },
        { BLOB_BAD_BLOCK_LIST, 400, "InvalidBlockList" },
        { BLOB_BLOCK_NOT_FOUND, 400, "InvalidBlockList" },
        { BLOB_BLOCK_LIST_TOO_LONG, 400, "BlockListTooLong" },
        { BLOB_TOO_LARGE, 413, "RequestBodyTooLarge" },
        { BLOB_DUPLICATE_BLOCK, 400, "InvalidBlockList" },
        { BLOB_BLOB_LIMIT, 413, "RequestBodyTooLarge" },
        { BLOB_CONTAINER_LIMIT, 413, "ContainerQuotaExceeded" },
        { BLOB_STAGED_LIMIT, 409, "RequestEntityTooLargeBlockCountExceedsLimit" },
        { BLOB_NO_SPACE, 507, "InsufficientStorage" },
        { BLOB_IO, 500, "InternalError" },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(blob_status_http(want[i].s), want[i].http);
        assert_string_equal(blob_status_code(want[i].s), want[i].code);
    }
}

/* ---- whole puts --------------------------------------------------------- */

static void test_put_and_read_back(void **state)
{
    fixture_t *f = *state;
    blob_writer_t *w = NULL;
    char md5[25];
    assert_int_equal(blob_put_begin(f->root, C, "video.mp4", NULL, BLOB_SIZE_UNKNOWN, &w), BLOB_OK);
    assert_int_equal(blob_put_write(w, "hello ", 6), BLOB_OK);
    assert_int_equal(blob_put_write(w, "", 0), BLOB_OK);
    assert_int_equal(blob_put_write(w, "world", 5), BLOB_OK);
    assert_no_blob(f, "video.mp4");                  /* not visible before finish */
    assert_int_equal(count_sub(f, ".incoming"), 1);
    assert_int_equal(blob_put_finish(w, NULL, md5), BLOB_OK);
    assert_string_equal(md5, "XrY7u+Ae7tCTyyK7j1rNww==");   /* MD5("hello world") */
    assert_blob_equals(f, "video.mp4", "hello world");
    blob_info_t info;
    assert_int_equal(blob_stat(f->root, C, "video.mp4", &info), BLOB_OK);
    assert_int_equal(info.size, 11);
    assert_true(info.mtime.tv_sec > 0);
    assert_int_equal(count_sub(f, ".incoming"), 0);

    /* a second put replaces the content */
    assert_int_equal(put(f, "video.mp4", "bye", 3, NULL, NULL), BLOB_OK);
    assert_blob_equals(f, "video.mp4", "bye");

    /* an empty blob */
    assert_int_equal(put(f, "empty", "", 0, NULL, md5), BLOB_OK);
    assert_string_equal(md5, "1B2M2Y8AsgTpgAmY7PhCfg==");
    assert_blob_equals(f, "empty", "");
}

static void test_md5_good(void **state)
{
    fixture_t *f = *state;
    char md5[25];
    assert_int_equal(put(f, "a.ism", "hello world", 11, "XrY7u+Ae7tCTyyK7j1rNww==", md5), BLOB_OK);
    assert_string_equal(md5, "XrY7u+Ae7tCTyyK7j1rNww==");
    assert_blob_equals(f, "a.ism", "hello world");
}

static void test_md5_bad_leaves_nothing(void **state)
{
    fixture_t *f = *state;
    /* mismatch: MD5 of "hello world" for another body */
    assert_int_equal(put(f, "a.ism", "hello there", 11, "XrY7u+Ae7tCTyyK7j1rNww==", NULL), BLOB_MD5_MISMATCH);
    assert_no_blob(f, "a.ism");
    assert_int_equal(count_sub(f, ".incoming"), 0);
    /* malformed: not base64, wrong length, non-canonical */
    static const char *malformed[] = { "not base64!", "AAAA", "XrY7u+Ae7tCTyyK7j1rNww", "XrY7u+Ae7tCTyyK7j1rNwx==", "" };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        assert_int_equal(put(f, "a.ism", "hello world", 11, malformed[i], NULL), BLOB_BAD_MD5);
        assert_no_blob(f, "a.ism");
    }
    /* a failed replace keeps the old blob */
    assert_int_equal(put(f, "a.ism", "old", 3, NULL, NULL), BLOB_OK);
    assert_int_equal(put(f, "a.ism", "hello there", 11, "XrY7u+Ae7tCTyyK7j1rNww==", NULL), BLOB_MD5_MISMATCH);
    assert_blob_equals(f, "a.ism", "old");
    assert_int_equal(count_sub(f, ".incoming"), 0);
}

static void test_abort_leaves_nothing(void **state)
{
    fixture_t *f = *state;
    blob_writer_t *w = NULL;
    assert_int_equal(blob_put_begin(f->root, C, "half.mp4", NULL, BLOB_SIZE_UNKNOWN, &w), BLOB_OK);
    assert_int_equal(blob_put_write(w, "partial", 7), BLOB_OK);
    assert_int_equal(count_sub(f, ".incoming"), 1);
    blob_put_abort(w);
    assert_no_blob(f, "half.mp4");
    assert_int_equal(count_sub(f, ".incoming"), 0);
    /* an aborted block is not staged */
    assert_int_equal(blob_block_begin(f->root, C, "half.mp4", "AAAA", NULL, BLOB_SIZE_UNKNOWN, &w), BLOB_OK);
    assert_int_equal(blob_put_write(w, "partial", 7), BLOB_OK);
    blob_put_abort(w);
    assert_int_equal(count_sub(f, ".incoming"), 0);
    assert_int_equal(commit_xml(f, "half.mp4", "<BlockList><Latest>AAAA</Latest></BlockList>"),
                     BLOB_BLOCK_NOT_FOUND);
    assert_no_blob(f, "half.mp4");
    blob_put_abort(NULL);
}

/* ---- names -------------------------------------------------------------- */

static const char *const bad_names[] = {
    "", ".", "..", "../x", "../../etc/passwd", "a/b", "/abs", "a\\b", "..\\x", ".hidden", ".incoming",
    ".blocks", "tab\there", "nl\n", "del\x7f", "c1\xc2\x85", "bad\xff", "overlong\xc0\xaf", "overlongA\xc1\x81", "overlong3\xe0\x81\x81",
    "overlong4\xf0\x80\x81\x81", "toobig\xf4\x90\x80\x80",
    "surrogate\xed\xa0\x80", "trunc\xe2\x82", "esc\x1b[0m",
};

static void test_bad_blob_names(void **state)
{
    fixture_t *f = *state;
    char long_name[300];
    memset(long_name, 'n', 256);
    long_name[256] = '\0';
    for (size_t i = 0; i <= sizeof bad_names / sizeof bad_names[0]; i++) {
        const char *name = i < sizeof bad_names / sizeof bad_names[0] ? bad_names[i] : long_name;
        blob_writer_t *w = (blob_writer_t *) 1;
        blob_info_t info;
        int fd = 7;
        assert_false(blob_name_ok(name));
        assert_int_equal(blob_put_begin(f->root, C, name, NULL, BLOB_SIZE_UNKNOWN, &w), BLOB_BAD_NAME);
        assert_null(w);
        assert_int_equal(blob_block_begin(f->root, C, name, "AAAA", NULL, BLOB_SIZE_UNKNOWN, &w), BLOB_BAD_NAME);
        assert_int_equal(commit_xml(f, name, "<BlockList/>"), BLOB_BAD_NAME);
        assert_int_equal(blob_stat(f->root, C, name, &info), BLOB_BAD_NAME);
        assert_int_equal(blob_open_read(f->root, C, name, &fd, &info), BLOB_BAD_NAME);
        assert_int_equal(fd, -1);
        assert_int_equal(blob_delete(f->root, C, name), BLOB_BAD_NAME);
    }
    assert_false(blob_name_ok(NULL));
    /* nothing was created anywhere */
    assert_int_equal(count_entries(f->root), 1);
    assert_int_equal(count_entries(f->cpath), 0);
}

static void test_good_blob_names(void **state)
{
    fixture_t *f = *state;
    char longest[256];
    memset(longest, 'n', 255);
    longest[255] = '\0';
    const char *good[] = { longest, "a", "a..b", "x.", "name with space.mp4", "\xc3\xbcml\xc3\xa4ut.mp4",
                           "\xe6\x98\xa0\xe5\x83\x8f", "\xf0\x9f\x8e\xac.mp4", "asset.ism", "-dash" };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_true(blob_name_ok(good[i]));
        assert_int_equal(put(f, good[i], "x", 1, NULL, NULL), BLOB_OK);
        assert_blob_equals(f, good[i], "x");
    }
}

static void test_bad_container_names(void **state)
{
    fixture_t *f = *state;
    char too_long[70];
    memset(too_long, 'a', 64);
    too_long[64] = '\0';
    const char *bad[] = { "", "ab", too_long, "Asset-1", "a/b", "..", "...", "../asset-1", "../../etc",
                          "a_b", "a.b", "asset 1", "asset-\xc3\xa9", ".incoming", "asset-1/..", NULL };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        blob_writer_t *w = NULL;
        blob_info_t info;
        int fd = -1;
        assert_false(blob_container_name_ok(bad[i]));
        assert_int_equal(blob_container_create(f->root, bad[i]), BLOB_BAD_NAME);
        assert_int_equal(blob_container_delete(f->root, bad[i]), BLOB_BAD_NAME);
        assert_int_equal(blob_put_begin(f->root, bad[i], "x", NULL, BLOB_SIZE_UNKNOWN, &w), BLOB_BAD_NAME);
        assert_int_equal(blob_block_begin(f->root, bad[i], "x", "AAAA", NULL, BLOB_SIZE_UNKNOWN, &w), BLOB_BAD_NAME);
        assert_int_equal(blob_block_list_commit(f->root, bad[i], "x", "<BlockList/>", 12, NULL, NULL, NULL, NULL),
                         BLOB_BAD_NAME);
        assert_int_equal(blob_list(f->root, bad[i], NULL, NULL), BLOB_BAD_NAME);
        assert_int_equal(blob_stat(f->root, bad[i], "x", &info), BLOB_BAD_NAME);
        assert_int_equal(blob_open_read(f->root, bad[i], "x", &fd, &info), BLOB_BAD_NAME);
        assert_int_equal(blob_delete(f->root, bad[i], "x"), BLOB_BAD_NAME);
    }
    /* the root still holds only the fixture's container, which is intact */
    assert_int_equal(count_entries(f->root), 1);
    assert_true(blob_container_name_ok("abc"));
    too_long[63] = '\0';
    assert_true(blob_container_name_ok(too_long));
    assert_int_equal(blob_container_create(f->root, too_long), BLOB_OK);
    assert_int_equal(blob_container_create(f->root, too_long), BLOB_OK);   /* idempotent */
    assert_int_equal(count_entries(f->root), 2);
}

static void test_container_not_found(void **state)
{
    fixture_t *f = *state;
    blob_writer_t *w = NULL;
    blob_info_t info;
    int fd = -1;
    const char *missing = "asset-missing";
    assert_int_equal(blob_put_begin(f->root, missing, "x", NULL, BLOB_SIZE_UNKNOWN, &w), BLOB_CONTAINER_NOT_FOUND);
    assert_null(w);
    assert_int_equal(blob_block_begin(f->root, missing, "x", "AAAA", NULL, BLOB_SIZE_UNKNOWN, &w), BLOB_CONTAINER_NOT_FOUND);
    assert_int_equal(blob_block_list_commit(f->root, missing, "x", "<BlockList/>", 12, NULL, NULL, NULL, NULL),
                     BLOB_CONTAINER_NOT_FOUND);
    assert_int_equal(blob_list(f->root, missing, NULL, NULL), BLOB_CONTAINER_NOT_FOUND);
    assert_int_equal(blob_stat(f->root, missing, "x", &info), BLOB_CONTAINER_NOT_FOUND);
    assert_int_equal(blob_open_read(f->root, missing, "x", &fd, &info), BLOB_CONTAINER_NOT_FOUND);
    assert_int_equal(blob_delete(f->root, missing, "x"), BLOB_CONTAINER_NOT_FOUND);
    assert_int_equal(blob_container_delete(f->root, missing), BLOB_CONTAINER_NOT_FOUND);
    /* and a missing blob in an existing container */
    assert_int_equal(blob_stat(f->root, C, "x", &info), BLOB_NOT_FOUND);
    assert_int_equal(blob_open_read(f->root, C, "x", &fd, &info), BLOB_NOT_FOUND);
    assert_int_equal(blob_delete(f->root, C, "x"), BLOB_NOT_FOUND);
}

/* Symlinks planted in the store never lead outside it. */
static void test_symlinks_not_followed(void **state)
{
    fixture_t *f = *state;
    char target[512], link_path[512];
    snprintf(target, sizeof target, "%s/outside", f->root);
    FILE *out = fopen(target, "w");
    assert_non_null(out);
    fputs("secret", out);
    fclose(out);
    snprintf(link_path, sizeof link_path, "%s/evil", f->cpath);
    assert_int_equal(symlink(target, link_path), 0);
    blob_info_t info;
    int fd = -1;
    assert_int_equal(blob_open_read(f->root, C, "evil", &fd, &info), BLOB_NOT_FOUND);
    assert_int_equal(blob_stat(f->root, C, "evil", &info), BLOB_NOT_FOUND);
    /* a put onto the link replaces the link, not the file it points at */
    assert_int_equal(put(f, "evil", "mine", 4, NULL, NULL), BLOB_OK);
    assert_blob_equals(f, "evil", "mine");
    out = fopen(target, "r");
    char buf[16] = { 0 };
    assert_non_null(fgets(buf, sizeof buf, out));
    fclose(out);
    assert_string_equal(buf, "secret");
    /* a container that is a symlink is no container */
    snprintf(link_path, sizeof link_path, "%s/asset-link", f->root);
    assert_int_equal(symlink(f->cpath, link_path), 0);
    assert_int_equal(blob_list(f->root, "asset-link", NULL, NULL), BLOB_CONTAINER_NOT_FOUND);
}

/* ---- blocks ------------------------------------------------------------- */

/* ids of 3 bytes: "AAAA" = 00 00 00, "AAAB" = 00 00 01, ... */
static void test_blocks_out_of_order(void **state)
{
    fixture_t *f = *state;
    char md5[25], expected_md5[25];
    assert_int_equal(stage(f, "movie.mp4", "AAAC", "ccc", NULL), BLOB_OK);
    assert_int_equal(stage(f, "movie.mp4", "AAAA", "aaaa", NULL), BLOB_OK);
    assert_int_equal(stage(f, "movie.mp4", "AAAB", "bb", NULL), BLOB_OK);
    assert_int_equal(stage(f, "movie.mp4", "AAAD", "never listed", NULL), BLOB_OK);
    assert_no_blob(f, "movie.mp4");                 /* staged is not committed */
    const char *xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<BlockList>\n"
                      "  <Latest>AAAA</Latest>\n  <Uncommitted>AAAB</Uncommitted>\n"
                      "  <!-- a comment --><Latest> AAAC\n</Latest>\n</BlockList>\n";
    assert_int_equal(blob_block_list_commit(f->root, C, "movie.mp4", xml, strlen(xml), NULL, NULL, NULL, md5), BLOB_OK);
    assert_blob_equals(f, "movie.mp4", "aaaabbccc");
    md5_b64_of("aaaabbccc", 9, expected_md5);
    assert_string_equal(md5, expected_md5);
    /* the staged blocks are gone, the unlisted one too; no temp file left */
    assert_int_equal(count_sub(f, ".blocks"), 0);
    assert_int_equal(count_sub(f, ".incoming"), 0);
    assert_int_equal(commit_xml(f, "movie.mp4", "<BlockList><Latest>AAAD</Latest></BlockList>"),
                     BLOB_BLOCK_NOT_FOUND);
    assert_blob_equals(f, "movie.mp4", "aaaabbccc");
}

static void test_blocks_repeated_and_restaged(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(stage(f, "r", "AAAA", "first", NULL), BLOB_OK);
    assert_int_equal(stage(f, "r", "AAAA", "A", NULL), BLOB_OK);        /* replaces */
    assert_int_equal(stage(f, "r", "AAAB", "B", NULL), BLOB_OK);
    /* a block named twice (Azure allows it; we do not: see blob_blocks.h) */
    assert_int_equal(commit_xml(f, "r", "<BlockList><Latest>AAAA</Latest><Latest>AAAB</Latest>"
                                        "<Committed>AAAA</Committed></BlockList>"),
                     BLOB_DUPLICATE_BLOCK);
    assert_no_blob(f, "r");
    assert_int_equal(count_sub(f, ".incoming"), 0);
    assert_int_equal(commit_xml(f, "r", "<BlockList><Latest>AAAB</Latest><Latest>AAAA</Latest></BlockList>"),
                     BLOB_OK);
    assert_blob_equals(f, "r", "BA");
    /* blocks of another blob are untouched by this commit */
    assert_int_equal(stage(f, "other", "AAAA", "o", NULL), BLOB_OK);
    assert_int_equal(stage(f, "r", "AAAA", "again", NULL), BLOB_OK);
    assert_int_equal(commit_xml(f, "r", "<BlockList><Latest>AAAA</Latest></BlockList>"), BLOB_OK);
    assert_blob_equals(f, "r", "again");
    assert_int_equal(commit_xml(f, "other", "<BlockList><Latest>AAAA</Latest></BlockList>"), BLOB_OK);
    assert_blob_equals(f, "other", "o");
}

static void test_committed_entries_name_staged_blocks(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(stage(f, "c", "AAAA", "x", NULL), BLOB_OK);
    assert_int_equal(stage(f, "c", "AAAB", "y", NULL), BLOB_OK);
    assert_int_equal(commit_xml(f, "c", "<BlockList><Committed>AAAB</Committed><Uncommitted>AAAA</Uncommitted>"
                                        "</BlockList>"),
                     BLOB_OK);
    assert_blob_equals(f, "c", "yx");
    /* blocks of the committed blob are not kept */
    assert_int_equal(commit_xml(f, "c", "<BlockList><Committed>AAAA</Committed></BlockList>"), BLOB_BLOCK_NOT_FOUND);
    assert_blob_equals(f, "c", "yx");
}

static void test_missing_block(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(stage(f, "m", "AAAA", "a", NULL), BLOB_OK);
    assert_int_equal(commit_xml(f, "m", "<BlockList><Latest>AAAA</Latest><Latest>AAAB</Latest></BlockList>"),
                     BLOB_BLOCK_NOT_FOUND);
    assert_no_blob(f, "m");
    assert_int_equal(count_sub(f, ".incoming"), 0);
    /* nothing staged at all */
    assert_int_equal(commit_xml(f, "n", "<BlockList><Latest>AAAA</Latest></BlockList>"), BLOB_BLOCK_NOT_FOUND);
    assert_no_blob(f, "n");
    /* the staged block survived the failed commit */
    assert_int_equal(commit_xml(f, "m", "<BlockList><Latest>AAAA</Latest></BlockList>"), BLOB_OK);
    assert_blob_equals(f, "m", "a");
}

static void test_empty_block_list(void **state)
{
    fixture_t *f = *state;
    char md5[25];
    assert_int_equal(blob_block_list_commit(f->root, C, "e", "<BlockList/>", 12, NULL, NULL, NULL, md5), BLOB_OK);
    assert_string_equal(md5, "1B2M2Y8AsgTpgAmY7PhCfg==");
    assert_blob_equals(f, "e", "");
}

static void test_bad_block_list_xml(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(stage(f, "x", "AAAA", "a", NULL), BLOB_OK);
    static const char *bad[] = {
        "",
        "not xml",
        "<BlockList><Latest>AAAA</Latest>",                               /* unclosed */
        "<BlockList><Latest>AAAA</Latest></Blocklist>",                   /* mismatched */
        "<Blocks><Latest>AAAA</Latest></Blocks>",                         /* wrong root */
        "<BlockList><Newest>AAAA</Newest></BlockList>",                   /* unknown entry */
        "<BlockList>AAAA</BlockList>",                                    /* stray text */
        "<BlockList><Latest>AAAA</Latest>junk</BlockList>",
        "<BlockList><Latest><b>AAAA</b></Latest></BlockList>",            /* nested element */
        "<BlockList><Latest>AA AA</Latest></BlockList>",                  /* not base64 */
        "<BlockList><Latest>AAA</Latest></BlockList>",
        "<BlockList><Latest></Latest></BlockList>",                       /* empty id */
        "<BlockList><Latest>AAAA</Latest><Latest>AAAAAAAA</Latest></BlockList>", /* mixed lengths */
        "<!DOCTYPE BlockList [<!ENTITY id \"AAAA\">]><BlockList><Latest>&id;</Latest></BlockList>",
        "<!DOCTYPE BlockList><BlockList><Latest>AAAA</Latest></BlockList>",   /* any DTD */
        "<BlockList><Latest>&id;</Latest></BlockList>",                   /* undeclared entity */
        "<BlockList><Latest>AAAA</Latest></BlockList><BlockList/>",       /* two roots */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        blob_block_list_t list;
        assert_int_equal(blob_block_list_parse(bad[i], strlen(bad[i]), &list), BLOB_BAD_BLOCK_LIST);
        assert_int_equal(commit_xml(f, "x", bad[i]), BLOB_BAD_BLOCK_LIST);
        assert_no_blob(f, "x");
    }
    assert_int_equal(count_sub(f, ".incoming"), 0);
    /* CDATA and character references are plain text */
    assert_int_equal(stage(f, "x", "AAAB", "b", NULL), BLOB_OK);
    assert_int_equal(commit_xml(f, "x", "<BlockList><Latest><![CDATA[AAAA]]></Latest><Latest>&#65;AAB</Latest>"
                                        "</BlockList>"),
                     BLOB_OK);
    assert_blob_equals(f, "x", "ab");
}

static void test_block_ids(void **state)
{
    fixture_t *f = *state;
    char id64[100], id65[100];
    uint8_t raw[65];
    memset(raw, 0xAB, sizeof raw);
    base64_encode(raw, 64, id64, sizeof id64);
    base64_encode(raw, 65, id65, sizeof id65);
    static const char *bad[] = { "", "A", "AAA", "AA=A", "A===", "====", "AB==", "AAB=", "AA AA", "AA\nA",
                                 "AA-_", "AAAA====" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(stage(f, "ids", bad[i], "x", NULL), BLOB_BAD_BLOCK_ID);
    assert_int_equal(stage(f, "ids", id65, "x", NULL), BLOB_BAD_BLOCK_ID);          /* 65 bytes */
    blob_writer_t *w = NULL;
    assert_int_equal(blob_block_begin(f->root, C, "ids", NULL, NULL, BLOB_SIZE_UNKNOWN, &w), BLOB_BAD_BLOCK_ID);
    assert_int_equal(count_sub(f, ".incoming"), -1);     /* never even started a body */
    assert_int_equal(stage(f, "ids", id64, "64", NULL), BLOB_OK);
    /* every id of one blob has the same length */
    assert_int_equal(stage(f, "ids", "AAAA", "x", NULL), BLOB_BAD_BLOCK_ID);
    assert_int_equal(stage(f, "ids", "AA==", "x", NULL), BLOB_BAD_BLOCK_ID);
    /* ...but another blob may use another length */
    assert_int_equal(stage(f, "ids2", "AA==", "one", NULL), BLOB_OK);
    assert_int_equal(stage(f, "ids2", "AQ==", "two", NULL), BLOB_OK);
    char xml[400];
    snprintf(xml, sizeof xml, "<BlockList><Latest>%s</Latest></BlockList>", id64);
    assert_int_equal(commit_xml(f, "ids", xml), BLOB_OK);
    assert_blob_equals(f, "ids", "64");
    assert_int_equal(commit_xml(f, "ids2", "<BlockList><Latest>AQ==</Latest><Latest>AA==</Latest></BlockList>"),
                     BLOB_OK);
    assert_blob_equals(f, "ids2", "twoone");
    /* once committed, the blob may start over with a new id length */
    assert_int_equal(stage(f, "ids", "AAAA", "new", NULL), BLOB_OK);
}

static void test_block_md5(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(stage(f, "b", "AAAA", "hello there", "XrY7u+Ae7tCTyyK7j1rNww=="), BLOB_MD5_MISMATCH);
    assert_int_equal(stage(f, "b", "AAAB", "hello world", "bad"), BLOB_BAD_MD5);
    assert_int_equal(stage(f, "b", "AAAC", "hello world", "XrY7u+Ae7tCTyyK7j1rNww=="), BLOB_OK);
    assert_int_equal(commit_xml(f, "b", "<BlockList><Latest>AAAA</Latest></BlockList>"), BLOB_BLOCK_NOT_FOUND);
    assert_int_equal(commit_xml(f, "b", "<BlockList><Latest>AAAB</Latest></BlockList>"), BLOB_BLOCK_NOT_FOUND);
    assert_int_equal(count_sub(f, ".incoming"), 0);

    /* Content-MD5 of the XML and x-ms-blob-content-md5 of the blob */
    const char *xml = "<BlockList><Latest>AAAC</Latest></BlockList>";
    char xml_md5[25];
    md5_b64_of(xml, strlen(xml), xml_md5);
    assert_int_equal(blob_block_list_commit(f->root, C, "b", xml, strlen(xml), "XrY7u+Ae7tCTyyK7j1rNww==", NULL, NULL, NULL),
                     BLOB_MD5_MISMATCH);
    assert_int_equal(blob_block_list_commit(f->root, C, "b", xml, strlen(xml), NULL, "1B2M2Y8AsgTpgAmY7PhCfg==", NULL, NULL),
                     BLOB_MD5_MISMATCH);
    assert_int_equal(blob_block_list_commit(f->root, C, "b", xml, strlen(xml), "x", NULL, NULL, NULL), BLOB_BAD_MD5);
    assert_int_equal(blob_block_list_commit(f->root, C, "b", xml, strlen(xml), NULL, "x", NULL, NULL), BLOB_BAD_MD5);
    assert_no_blob(f, "b");
    assert_int_equal(count_sub(f, ".incoming"), 0);
    char md5[25];
    assert_int_equal(blob_block_list_commit(f->root, C, "b", xml, strlen(xml), xml_md5, "XrY7u+Ae7tCTyyK7j1rNww==", NULL, md5),
                     BLOB_OK);
    assert_string_equal(md5, "XrY7u+Ae7tCTyyK7j1rNww==");
    assert_blob_equals(f, "b", "hello world");
}

/* A whole put discards the blob's staged blocks, as Azure does. */
static void test_put_discards_staged_blocks(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(stage(f, "p", "AAAA", "staged", NULL), BLOB_OK);
    assert_int_equal(stage(f, "q", "AAAA", "kept", NULL), BLOB_OK);
    assert_int_equal(put(f, "p", "whole", 5, NULL, NULL), BLOB_OK);
    assert_int_equal(commit_xml(f, "p", "<BlockList><Latest>AAAA</Latest></BlockList>"), BLOB_BLOCK_NOT_FOUND);
    assert_blob_equals(f, "p", "whole");
    assert_int_equal(count_sub(f, ".blocks"), 1);        /* q's */
    assert_int_equal(blob_delete(f->root, C, "p"), BLOB_OK);
}

/* ---- limits ------------------------------------------------------------- */

static void test_block_too_large(void **state)
{
    fixture_t *f = *state;
    /* calloc'ed pages are never touched: the limit is checked before writing */
    size_t len = BLOB_MAX_BLOCK_SIZE + 1;
    char *big = calloc(1, len);
    assert_non_null(big);
    blob_writer_t *w = NULL;
    assert_int_equal(blob_block_begin(f->root, C, "big", "AAAA", NULL, BLOB_SIZE_UNKNOWN, &w), BLOB_OK);
    assert_int_equal(blob_put_write(w, "x", 1), BLOB_OK);
    assert_int_equal(blob_put_write(w, big, len - 1), BLOB_TOO_LARGE);   /* 1 + 100 MiB */
    assert_int_equal(blob_put_write(w, "x", 1), BLOB_TOO_LARGE);         /* sticky */
    assert_int_equal(blob_put_finish(w, NULL, NULL), BLOB_TOO_LARGE);    /* and cleans up */
    assert_int_equal(count_sub(f, ".incoming"), 0);
    assert_int_equal(commit_xml(f, "big", "<BlockList><Latest>AAAA</Latest></BlockList>"), BLOB_BLOCK_NOT_FOUND);
    free(big);
}

/* "<Latest>id</Latest>" with the base64 of the 3-byte big-endian i. */
static int latest_entry(char *out, size_t i)
{
    unsigned char id[3] = { (unsigned char) (i >> 16), (unsigned char) (i >> 8), (unsigned char) i };
    char b64[8];
    EVP_EncodeBlock((unsigned char *) b64, id, 3);
    return sprintf(out, "<Latest>%s</Latest>", b64);
}

static void test_block_list_limits(void **state)
{
    fixture_t *f = *state;
    size_t n = BLOB_MAX_BLOCKS + 1, entry_len = strlen("<Latest>AAAA</Latest>");
    char *xml = malloc(n * entry_len + 64);
    assert_non_null(xml);
    char *p = xml + sprintf(xml, "<BlockList>");
    for (size_t i = 0; i < n; i++)
        p += latest_entry(p, i);
    sprintf(p, "</BlockList>");
    assert_int_equal(commit_xml(f, "l", xml), BLOB_BLOCK_LIST_TOO_LONG);
    /* exactly 50,000 distinct entries parse (and are then looked up) */
    sprintf(xml + strlen("<BlockList>") + (n - 1) * entry_len, "</BlockList>");
    blob_block_list_t list;
    assert_int_equal(blob_block_list_parse(xml, strlen(xml), &list), BLOB_OK);
    assert_int_equal(list.count, BLOB_MAX_BLOCKS);
    blob_block_list_free(&list);
    assert_int_equal(stage(f, "l", "AAAA", "z", NULL), BLOB_OK);
    assert_int_equal(commit_xml(f, "l", xml), BLOB_BLOCK_NOT_FOUND);
    free(xml);

    /* XML over 4 MiB (well-formed: padded with whitespace) */
    size_t big = BLOB_MAX_BLOCK_LIST_XML + 1;
    xml = malloc(big + 1);
    assert_non_null(xml);
    memset(xml, ' ', big);
    memcpy(xml, "<BlockList>", 11);
    memcpy(xml + big - 12, "</BlockList>", 12);
    xml[big] = '\0';
    assert_int_equal(blob_block_list_commit(f->root, C, "l2", xml, big, NULL, NULL, NULL, NULL), BLOB_TOO_LARGE);

    assert_int_equal(blob_block_list_parse(xml, big, &list), BLOB_TOO_LARGE);
    /* the size is judged before the body is hashed */
    assert_int_equal(blob_block_list_commit(f->root, C, "l2", xml, big, "XrY7u+Ae7tCTyyK7j1rNww==", NULL, NULL, NULL),
                     BLOB_TOO_LARGE);
    assert_int_equal(blob_block_list_commit(f->root, C, "l2", xml + 1, big - 1, NULL, NULL, NULL, NULL),
                     BLOB_BAD_BLOCK_LIST);            /* 4 MiB exactly is parsed ("BlockList>" is junk) */
    memcpy(xml + 1, "<BlockList>", 11);
    assert_int_equal(blob_block_list_commit(f->root, C, "l2", xml + 1, big - 1, NULL, NULL, NULL, NULL), BLOB_OK);
    assert_blob_equals(f, "l2", "");
    free(xml);
}

/* ---- large bodies, bounded memory --------------------------------------- */

static uint8_t pattern_byte(size_t i)
{
    return (uint8_t) ((i * 2654435761u) >> 13);
}

static void test_large_body_bounded_memory(void **state)
{
    fixture_t *f = *state;
    const size_t total = 6u << 20, chunk = 4099;
    uint8_t buf[4099];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    assert_non_null(ctx);
    assert_int_equal(EVP_DigestInit_ex(ctx, EVP_md5(), NULL), 1);
    blob_writer_t *w = NULL;
    assert_int_equal(blob_put_begin(f->root, C, "large.mp4", NULL, BLOB_SIZE_UNKNOWN, &w), BLOB_OK);
    heap_track_start();
    for (size_t off = 0; off < total; off += chunk) {
        size_t n = total - off < chunk ? total - off : chunk;
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern_byte(off + i);
        assert_int_equal(blob_put_write(w, buf, n), BLOB_OK);
        EVP_DigestUpdate(ctx, buf, n);
    }
    char md5[25], expected[25];
    uint8_t raw[16];
    assert_int_equal(blob_put_finish(w, NULL, md5), BLOB_OK);
    int64_t peak = heap_track_stop();
    EVP_DigestFinal_ex(ctx, raw, NULL);
    EVP_MD_CTX_free(ctx);
    EVP_EncodeBlock((unsigned char *) expected, raw, 16);
    assert_string_equal(md5, expected);
    if (HEAP_MEASURED)
        assert_true(peak < (64 << 10));           /* nothing grows with the body */

    /* read back and compare byte by byte */
    int fd = -1;
    blob_info_t info;
    assert_int_equal(blob_open_read(f->root, C, "large.mp4", &fd, &info), BLOB_OK);
    assert_int_equal(info.size, total);
    size_t off = 0;
    ssize_t got;
    while ((got = read(fd, buf, sizeof buf)) > 0) {
        for (size_t i = 0; i < (size_t) got; i++)
            assert_int_equal(buf[i], pattern_byte(off + i));
        off += (size_t) got;
    }
    assert_int_equal(got, 0);
    close(fd);
    assert_int_equal(off, total);
}

static void test_large_block_commit_bounded_memory(void **state)
{
    fixture_t *f = *state;
    const size_t block = 3u << 19;        /* 1.5 MiB, 4 blocks */
    uint8_t *buf = malloc(block);
    assert_non_null(buf);
    const char *ids[] = { "AAAD", "AAAC", "AAAB", "AAAA" };
    for (size_t b = 0; b < 4; b++) {      /* staged in reverse, block b holds bytes of part 3 - b */
        blob_writer_t *w = NULL;
        for (size_t i = 0; i < block; i++)
            buf[i] = pattern_byte((3 - b) * block + i);
        assert_int_equal(blob_block_begin(f->root, C, "blocks.mp4", ids[b], NULL, BLOB_SIZE_UNKNOWN, &w), BLOB_OK);
        for (size_t off = 0; off < block; off += 1000)
            assert_int_equal(blob_put_write(w, buf + off, block - off < 1000 ? block - off : 1000), BLOB_OK);
        assert_int_equal(blob_put_finish(w, NULL, NULL), BLOB_OK);
    }
    const char *xml = "<BlockList><Latest>AAAA</Latest><Latest>AAAB</Latest><Latest>AAAC</Latest>"
                      "<Latest>AAAD</Latest></BlockList>";
    heap_track_start();
    assert_int_equal(commit_xml(f, "blocks.mp4", xml), BLOB_OK);
    int64_t peak = heap_track_stop();
    if (HEAP_MEASURED)
        assert_true(peak < (1 << 20));            /* a copy buffer, not a block or the blob */
    int fd = -1;
    blob_info_t info;
    assert_int_equal(blob_open_read(f->root, C, "blocks.mp4", &fd, &info), BLOB_OK);
    assert_int_equal(info.size, 4 * block);
    for (size_t part = 0; part < 4; part++) {
        assert_int_equal(read(fd, buf, block), (ssize_t) block);
        for (size_t i = 0; i < block; i++)
            assert_int_equal(buf[i], pattern_byte(part * block + i));
    }
    close(fd);
    free(buf);
}

/* ---- listing, deletion, sweeping ---------------------------------------- */

typedef struct {
    char names[16][32];
    uint64_t sizes[16];
    int count;
    int stop_after;
} collected_t;

static int collect(const char *name, const blob_info_t *info, void *arg)
{
    collected_t *c = arg;
    snprintf(c->names[c->count], sizeof c->names[0], "%s", name);
    c->sizes[c->count] = info->size;
    c->count++;
    return c->count == c->stop_after;
}

static void test_list_sorted_without_temp_files(void **state)
{
    fixture_t *f = *state;
    collected_t got = { .stop_after = -1 };
    assert_int_equal(blob_list(f->root, C, collect, &got), BLOB_OK);
    assert_int_equal(got.count, 0);

    const char *names[] = { "b.mp4", "a.mp4", "c", "B", "a.ism", "\xc3\xa9" };
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(put(f, names[i], "0123456789", i + 1, NULL, NULL), BLOB_OK);
    blob_writer_t *w = NULL;                             /* an upload in flight */
    assert_int_equal(blob_put_begin(f->root, C, "d-in-flight", NULL, BLOB_SIZE_UNKNOWN, &w), BLOB_OK);
    assert_int_equal(blob_put_write(w, "x", 1), BLOB_OK);
    assert_int_equal(stage(f, "e-staged", "AAAA", "x", NULL), BLOB_OK);
    char path[512];                                      /* a stray directory */
    snprintf(path, sizeof path, "%s/zdir", f->cpath);
    assert_int_equal(mkdir(path, 0755), 0);
    const char *strays[] = { ".hidden", "bad\nname", "bad\xff" };   /* files no put could make */
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", f->cpath, strays[i]);
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fclose(fp);
    }

    assert_int_equal(blob_list(f->root, C, collect, &got), BLOB_OK);
    const char *want[] = { "B", "a.ism", "a.mp4", "b.mp4", "c", "\xc3\xa9" };
    const uint64_t want_sizes[] = { 4, 5, 2, 1, 3, 6 };
    assert_int_equal(got.count, 6);
    for (int i = 0; i < 6; i++) {
        assert_string_equal(got.names[i], want[i]);
        assert_int_equal(got.sizes[i], want_sizes[i]);
    }
    /* a non-zero return stops the listing */
    collected_t first = { .stop_after = 2 };
    assert_int_equal(blob_list(f->root, C, collect, &first), BLOB_OK);
    assert_int_equal(first.count, 2);
    assert_string_equal(first.names[1], "a.ism");

    assert_int_equal(blob_put_finish(w, NULL, NULL), BLOB_OK);
    collected_t after = { .stop_after = -1 };
    assert_int_equal(blob_list(f->root, C, collect, &after), BLOB_OK);
    assert_int_equal(after.count, 7);
    assert_string_equal(after.names[5], "d-in-flight");
}

static void test_delete_blob(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(put(f, "gone", "x", 1, NULL, NULL), BLOB_OK);
    assert_int_equal(put(f, "stays", "y", 1, NULL, NULL), BLOB_OK);
    int fd = -1;
    blob_info_t info;
    assert_int_equal(blob_open_read(f->root, C, "gone", &fd, &info), BLOB_OK);
    assert_int_equal(blob_delete(f->root, C, "gone"), BLOB_OK);
    assert_no_blob(f, "gone");
    assert_int_equal(blob_delete(f->root, C, "gone"), BLOB_NOT_FOUND);
    char c = 0;                                          /* an open reader keeps its bytes */
    assert_int_equal(read(fd, &c, 1), 1);
    assert_int_equal(c, 'x');
    close(fd);
    assert_blob_equals(f, "stays", "y");
    /* deleting a blob discards the blocks staged for it */
    assert_int_equal(stage(f, "stays", "AAAA", "z", NULL), BLOB_OK);
    assert_int_equal(blob_delete(f->root, C, "stays"), BLOB_OK);
    assert_int_equal(commit_xml(f, "stays", "<BlockList><Latest>AAAA</Latest></BlockList>"), BLOB_BLOCK_NOT_FOUND);
    assert_no_blob(f, "stays");
}

/* blob_move (bulk ingest): into another container, replacing, never a
 * staged or missing blob, never a symlink, names checked. */
static void test_move_blob(void **state)
{
    fixture_t *f = *state;
    const char *to = "asset-1b4e28ba-2fa1-11d2-883f-0016d3cca427";
    int fd = -1;
    blob_info_t info;
    char link[512];
    assert_int_equal(blob_container_create(f->root, to), BLOB_OK);
    assert_int_equal(put(f, "movie.mp4", "abc", 3, NULL, NULL), BLOB_OK);
    assert_int_equal(blob_move(f->root, C, "movie.mp4", to), BLOB_OK);
    assert_no_blob(f, "movie.mp4");
    assert_int_equal(blob_open_read(f->root, to, "movie.mp4", &fd, &info), BLOB_OK);
    assert_int_equal(info.size, 3);
    close(fd);
    assert_int_equal(blob_move(f->root, C, "movie.mp4", to), BLOB_NOT_FOUND);
    assert_int_equal(put(f, "movie.mp4", "newer", 5, NULL, NULL), BLOB_OK);  /* replaces */
    assert_int_equal(blob_move(f->root, C, "movie.mp4", to), BLOB_OK);
    assert_int_equal(blob_stat(f->root, to, "movie.mp4", &info), BLOB_OK);
    assert_int_equal(info.size, 5);
    assert_int_equal(stage(f, "staged", "AAAA", "z", NULL), BLOB_OK);
    assert_int_equal(blob_move(f->root, C, "staged", to), BLOB_NOT_FOUND);
    snprintf(link, sizeof link, "%s/sneaky", f->cpath);
    assert_int_equal(symlink("/etc/passwd", link), 0);
    assert_int_equal(blob_move(f->root, C, "sneaky", to), BLOB_NOT_FOUND);
    assert_int_equal(blob_move(f->root, C, "../x", to), BLOB_BAD_NAME);
    assert_int_equal(blob_move(f->root, C, "movie.mp4", "Bad_Name"), BLOB_BAD_NAME);
    assert_int_equal(blob_move(f->root, C, "movie.mp4", "asset-missing"), BLOB_CONTAINER_NOT_FOUND);
}

static void test_delete_container(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(put(f, "a", "x", 1, NULL, NULL), BLOB_OK);
    assert_int_equal(stage(f, "b", "AAAA", "x", NULL), BLOB_OK);
    blob_writer_t *w = NULL;
    assert_int_equal(blob_put_begin(f->root, C, "c", NULL, BLOB_SIZE_UNKNOWN, &w), BLOB_OK);
    assert_int_equal(blob_container_create(f->root, "asset-other"), BLOB_OK);
    char other[512];
    snprintf(other, sizeof other, "%s/asset-other", f->root);

    assert_int_equal(blob_container_delete(f->root, C), BLOB_OK);
    assert_int_equal(count_entries(f->cpath), -1);
    assert_int_equal(count_entries(f->root), 1);          /* only asset-other, no .deleting-* */
    assert_int_equal(count_entries(other), 0);
    assert_int_equal(blob_list(f->root, C, NULL, NULL), BLOB_CONTAINER_NOT_FOUND);
    assert_int_equal(blob_container_delete(f->root, C), BLOB_CONTAINER_NOT_FOUND);
    /* the upload that was in flight cannot resurrect anything */
    assert_int_equal(blob_put_write(w, "x", 1), BLOB_OK);   /* into its unlinked temp file */
    assert_int_equal(blob_put_finish(w, NULL, NULL), BLOB_IO);
    assert_int_equal(count_entries(f->root), 1);
    /* and the name can be used again */
    assert_int_equal(blob_container_create(f->root, C), BLOB_OK);
    assert_int_equal(count_entries(f->cpath), 0);
}

static void set_old(const char *path)
{
    struct timespec times[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1000000000 } };
    assert_int_equal(utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW), 0);
}

static void test_sweep(void **state)
{
    fixture_t *f = *state;
    char path[512];
    /* two staged blobs (one made stale), two temp files (one made stale) */
    assert_int_equal(stage(f, "old", "AAAA", "x", NULL), BLOB_OK);
    assert_int_equal(stage(f, "new", "AAAA", "x", NULL), BLOB_OK);
    blob_writer_t *w_old = NULL, *w_new = NULL;
    assert_int_equal(blob_put_begin(f->root, C, "w-old", NULL, BLOB_SIZE_UNKNOWN, &w_old), BLOB_OK);
    assert_int_equal(blob_put_begin(f->root, C, "w-new", NULL, BLOB_SIZE_UNKNOWN, &w_new), BLOB_OK);
    assert_int_equal(put(f, "committed", "c", 1, NULL, NULL), BLOB_OK);
    snprintf(path, sizeof path, "%s/committed", f->cpath);
    set_old(path);                                       /* committed blobs are never swept */
    snprintf(path, sizeof path, "%s/.incoming", f->cpath);
    DIR *d = opendir(path);
    struct dirent *e;
    int made_old = 0;
    while ((e = readdir(d)) != NULL && !made_old) {
        if (e->d_name[0] == '.')
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        set_old(p);
        made_old = 1;
    }
    closedir(d);
    snprintf(path, sizeof path, "%s/.blocks", f->cpath);
    d = opendir(path);
    char stale_dir[1024] = "";
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.' && stale_dir[0] == '\0')
            snprintf(stale_dir, sizeof stale_dir, "%s/%s", path, e->d_name);
    }
    closedir(d);
    set_old(stale_dir);
    snprintf(path, sizeof path, "%s/.deleting-leftover", f->root);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/.deleting-leftover/file", f->root);
    FILE *fp = fopen(path, "w");
    fclose(fp);

    time_t cutoff = 1500000000;
    assert_int_equal(blob_sweep(f->root, cutoff, cutoff), BLOB_OK);
    assert_int_equal(count_entries(f->root), 1);          /* .deleting-leftover gone */
    assert_int_equal(count_sub(f, ".incoming"), 1);
    assert_int_equal(count_sub(f, ".blocks"), 1);
    assert_int_equal(count_entries(stale_dir), -1);
    assert_blob_equals(f, "committed", "c");
    /* exactly one of the staged blobs can still be committed */
    int ok = (commit_xml(f, "old", "<BlockList><Latest>AAAA</Latest></BlockList>") == BLOB_OK)
           + (commit_xml(f, "new", "<BlockList><Latest>AAAA</Latest></BlockList>") == BLOB_OK);
    assert_int_equal(ok, 1);
    blob_put_abort(w_old);
    blob_put_abort(w_new);
    /* at startup: every temp file goes */
    assert_int_equal(blob_put_begin(f->root, C, "w", NULL, BLOB_SIZE_UNKNOWN, &w_new), BLOB_OK);
    assert_int_equal(blob_sweep(f->root, time(NULL) + 10, cutoff), BLOB_OK);
    assert_int_equal(count_sub(f, ".incoming"), 0);
    assert_int_not_equal(blob_put_finish(w_new, NULL, NULL), BLOB_OK);
    assert_no_blob(f, "w");
}

/* ---- durability and I/O errors ----------------------------------------- */

static void test_put_is_durable(void **state)
{
    fixture_t *f = *state;
    char incoming[600], final[600], fsync_dir[600];
    snprintf(incoming, sizeof incoming, "fsync %s/.incoming/", f->cpath);
    snprintf(final, sizeof final, "rename %s/durable", f->cpath);
    snprintf(fsync_dir, sizeof fsync_dir, "fsync %s", f->cpath);
    record_start();
    assert_int_equal(put(f, "durable", "data", 4, NULL, NULL), BLOB_OK);
    recording = 0;
    const char *order[] = { incoming, final, fsync_dir };
    assert_events_in_order(order, 3);
    assert_string_equal(events[event_count - 1], fsync_dir);     /* the directory, last */
}

static void test_blocks_are_durable(void **state)
{
    fixture_t *f = *state;
    char blocks_created[600], incoming[600], staged[600], staged_dir[600], commit[600], commit_dir[600];
    snprintf(blocks_created, sizeof blocks_created, "fsync %s/.blocks", f->cpath);
    snprintf(incoming, sizeof incoming, "fsync %s/.incoming/", f->cpath);
    snprintf(staged, sizeof staged, "rename %s/.blocks/", f->cpath);
    snprintf(commit, sizeof commit, "rename %s/blk", f->cpath);
    snprintf(commit_dir, sizeof commit_dir, "fsync %s", f->cpath);
    record_start();
    assert_int_equal(stage(f, "blk", "AAAA", "a", NULL), BLOB_OK);
    recording = 0;
    /* the new staging directory's entry, the block, its rename, its directory */
    int at = find_event(0, staged);
    assert_true(at >= 0);
    assert_non_null(strstr(events[at], "/000000"));
    snprintf(staged_dir, sizeof staged_dir, "fsync %s", events[at] + strlen("rename "));
    *strrchr(staged_dir, '/') = '\0';                     /* fsync of .blocks/<hash> */
    const char *order[] = { blocks_created, incoming, staged, staged_dir };
    assert_events_in_order(order, 4);
    record_start();
    assert_int_equal(commit_xml(f, "blk", "<BlockList><Latest>AAAA</Latest></BlockList>"), BLOB_OK);
    recording = 0;
    const char *commit_order[] = { incoming, commit, commit_dir };
    assert_events_in_order(commit_order, 3);
}

static void test_containers_are_durable(void **state)
{
    fixture_t *f = *state;
    char root_sync[600], moved[600], removing[600];
    snprintf(root_sync, sizeof root_sync, "fsync %s", f->root);
    snprintf(moved, sizeof moved, "rename %s/.deleting-", f->root);
    snprintf(removing, sizeof removing, "unlink %s/.deleting-", f->root);
    record_start();
    assert_int_equal(blob_container_create(f->root, "asset-new"), BLOB_OK);
    recording = 0;
    assert_int_equal(event_count, 1);
    assert_string_equal(events[0], root_sync);
    record_start();
    assert_int_equal(blob_container_delete(f->root, "asset-new"), BLOB_OK);
    recording = 0;
    /* out of sight durably before anything is removed, and the removal synced */
    const char *order[] = { moved, root_sync, removing, root_sync };
    assert_events_in_order(order, 4);
}

static void test_fsync_failure_stores_nothing(void **state)
{
    fixture_t *f = *state;
    fail_fsync_under = "/.incoming/";
    assert_int_equal(put(f, "f", "data", 4, NULL, NULL), BLOB_IO);
    assert_int_equal(stage(f, "g", "AAAA", "data", NULL), BLOB_IO);
    fail_fsync_under = NULL;
    assert_no_blob(f, "f");
    assert_int_equal(count_sub(f, ".incoming"), 0);
    assert_int_equal(commit_xml(f, "g", "<BlockList><Latest>AAAA</Latest></BlockList>"), BLOB_BLOCK_NOT_FOUND);
    /* a commit whose temp file cannot be synced keeps the old blob and the blocks */
    assert_int_equal(put(f, "g", "old", 3, NULL, NULL), BLOB_OK);
    assert_int_equal(stage(f, "g", "AAAA", "new", NULL), BLOB_OK);
    fail_fsync_under = "/.incoming/";
    assert_int_equal(commit_xml(f, "g", "<BlockList><Latest>AAAA</Latest></BlockList>"), BLOB_IO);
    fail_fsync_under = NULL;
    assert_blob_equals(f, "g", "old");
    assert_int_equal(count_sub(f, ".incoming"), 0);
    assert_int_equal(commit_xml(f, "g", "<BlockList><Latest>AAAA</Latest></BlockList>"), BLOB_OK);
    assert_blob_equals(f, "g", "new");
}

/* Writes past RLIMIT_FSIZE fail with EFBIG, as ENOSPC would: BLOB_IO, nothing stored. */
static void test_write_failure_stores_nothing(void **state)
{
    fixture_t *f = *state;
    static char chunk[64 << 10];
    memset(chunk, 'w', sizeof chunk);
    assert_int_equal(stage(f, "h", "AAAA", "x", NULL), BLOB_OK);
    blob_writer_t *w = NULL;
    assert_int_equal(blob_put_begin(f->root, C, "h", NULL, BLOB_SIZE_UNKNOWN, &w), BLOB_OK);
    struct rlimit old, small = { 100 << 10, 100 << 10 };
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small.rlim_max = old.rlim_max;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    assert_int_equal(blob_put_write(w, chunk, sizeof chunk), BLOB_OK);
    blob_status_t second = blob_put_write(w, chunk, sizeof chunk);
    blob_status_t third = blob_put_write(w, "x", 1);
    blob_status_t finish = blob_put_finish(w, NULL, NULL);
    /* a block list concatenating past the limit fails the same way */
    char big[2 * (64 << 10) + 1];
    memset(big, 'b', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    setrlimit(RLIMIT_FSIZE, &old);
    assert_int_equal(stage(f, "i", "AAAA", big, NULL), BLOB_OK);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    blob_status_t commit = commit_xml(f, "i", "<BlockList><Latest>AAAA</Latest></BlockList>");
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);
    assert_int_equal(second, BLOB_IO);
    assert_int_equal(third, BLOB_IO);
    assert_int_equal(finish, BLOB_IO);
    assert_int_equal(commit, BLOB_IO);
    assert_no_blob(f, "h");
    assert_no_blob(f, "i");
    assert_int_equal(count_sub(f, ".incoming"), 0);
    /* staged blocks survive a failed commit */
    assert_int_equal(commit_xml(f, "h", "<BlockList><Latest>AAAA</Latest></BlockList>"), BLOB_OK);
    assert_blob_equals(f, "h", "x");
    assert_int_equal(commit_xml(f, "i", "<BlockList><Latest>AAAA</Latest></BlockList>"), BLOB_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_mapping),
        cmocka_unit_test_setup_teardown(test_put_and_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_move_blob, setup, teardown),
        cmocka_unit_test_setup_teardown(test_md5_good, setup, teardown),
        cmocka_unit_test_setup_teardown(test_md5_bad_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_blob_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_good_blob_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_container_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_container_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlinks_not_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blocks_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blocks_repeated_and_restaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_committed_entries_name_staged_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_block_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_block_list_xml, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_md5, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_discards_staged_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_too_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_list_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_body_bounded_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_block_commit_bounded_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_sorted_without_temp_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_blob, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_container, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_is_durable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blocks_are_durable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_containers_are_durable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fsync_failure_stores_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_failure_stores_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
