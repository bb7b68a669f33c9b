/*
 * enc_sandbox.c — the encoder's Landlock confinement (see enc_sandbox.h).
 * Rights are masked to what the running kernel's Landlock ABI knows, so one
 * binary works from ABI 1 (Linux 5.13) on; TCP is denied from ABI 4.
 */
#define _GNU_SOURCE
#include "enc_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* rights newer than the build machine's kernel headers */
#define FS_REFER      (1ULL << 13)
#define FS_TRUNCATE   (1ULL << 14)
#define FS_IOCTL_DEV  (1ULL << 15)
#define NET_BIND_TCP    (1ULL << 0)
#define NET_CONNECT_TCP (1ULL << 1)

#define FS_READ    (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR \
                    | LANDLOCK_ACCESS_FS_EXECUTE)
#define FS_FILE_RW (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE \
                    | FS_TRUNCATE | FS_IOCTL_DEV)

/* the ruleset attribute as of ABI 4 (older headers lack handled_access_net) */
typedef struct {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
} ruleset_attr_t;

typedef struct {
    int      fd;         /* the ruleset */
    uint64_t handled;    /* filesystem rights this kernel knows */
} sandbox_t;

static uint64_t fs_rights_of_abi(long abi)
{
    uint64_t all = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;    /* ABI 1: bits 0..12 */

    if (abi >= 2) all |= FS_REFER;
    if (abi >= 3) all |= FS_TRUNCATE;
    if (abi >= 5) all |= FS_IOCTL_DEV;
    return all;
}

/* path_beneath rule; a missing optional path is skipped */
static int allow(sandbox_t *s, const char *path, uint64_t rights, int optional, char *err,
                 size_t err_len)
{
    struct landlock_path_beneath_attr rule = { 0 };
    int fd = open(path, O_PATH | O_CLOEXEC), rc;

    if (fd < 0) {
        if (optional && errno == ENOENT) {
            return 0;
        }
        snprintf(err, err_len, "sandbox: %s: %s", path, strerror(errno));
        return -1;
    }
    rule.parent_fd = fd;
    rule.allowed_access = rights & s->handled;
    rc = (int) syscall(SYS_landlock_add_rule, s->fd, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
    close(fd);
    if (rc != 0) {
        snprintf(err, err_len, "sandbox: rule for %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int allow_system(sandbox_t *s, char *err, size_t err_len)
{
    static const char *const readable[] = { "/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin",
                                            "/etc", "/proc", "/sys", "/opt" };

    for (size_t i = 0; i < sizeof(readable) / sizeof(readable[0]); i++) {
        if (allow(s, readable[i], FS_READ, 1, err, err_len) != 0) {
            return -1;
        }
    }
    /* /dev/null, /dev/urandom, terminals: read and write, create nothing */
    return allow(s, "/dev", FS_READ | FS_FILE_RW, 1, err, err_len);
}

static int allow_task(sandbox_t *s, char *const *inputs, int input_count, const char *config_file,
                      const char *task_dir, const char *extra_exec, char *err, size_t err_len)
{
    for (int i = 0; i < input_count; i++) {
        if (allow(s, inputs[i], LANDLOCK_ACCESS_FS_READ_FILE, 0, err, err_len) != 0) {
            return -1;
        }
    }
    if (config_file != NULL
        && allow(s, config_file, LANDLOCK_ACCESS_FS_READ_FILE, 0, err, err_len) != 0) {
        return -1;
    }
    if (extra_exec != NULL && allow(s, extra_exec, FS_READ, 0, err, err_len) != 0) {
        return -1;
    }
    return allow(s, task_dir, s->handled, 0, err, err_len);
}

static long landlock_abi(void)
{
    return syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
}

enc_sandbox_result_t enc_sandbox_apply(char *const *inputs, int input_count,
                                       const char *config_file, const char *task_dir,
                                       const char *extra_exec, char *err, size_t err_len)
{
    long abi = landlock_abi();
    ruleset_attr_t attr = { 0 };
    sandbox_t s = { -1, 0 };
    int ok;

    if (abi < 1) {
        snprintf(err, err_len, "sandbox: Landlock is not available (%s): running unconfined",
                 strerror(errno));
        return ENC_SANDBOX_UNAVAILABLE;
    }
    s.handled = fs_rights_of_abi(abi);
    attr.handled_access_fs = s.handled;
    attr.handled_access_net = abi >= 4 ? NET_BIND_TCP | NET_CONNECT_TCP : 0;
    s.fd = (int) syscall(SYS_landlock_create_ruleset, &attr,
                         abi >= 4 ? sizeof(attr) : sizeof(attr.handled_access_fs), 0);
    if (s.fd < 0) {
        snprintf(err, err_len, "sandbox: landlock_create_ruleset: %s", strerror(errno));
        return ENC_SANDBOX_FAILED;
    }
    ok = allow_system(&s, err, err_len) == 0
         && allow_task(&s, inputs, input_count, config_file, task_dir, extra_exec, err,
                       err_len) == 0;
    if (ok && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snprintf(err, err_len, "sandbox: no_new_privs: %s", strerror(errno));
        ok = 0;
    }
    if (ok && syscall(SYS_landlock_restrict_self, s.fd, 0) != 0) {
        snprintf(err, err_len, "sandbox: landlock_restrict_self: %s", strerror(errno));
        ok = 0;
    }
    close(s.fd);
    return ok ? ENC_SANDBOX_APPLIED : ENC_SANDBOX_FAILED;
}
