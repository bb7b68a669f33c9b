/*
 * proc_info.c — reading /proc/<pid>/cmdline and /proc/<pid>/stat (see
 * proc_info.h).
 */
#include "util/proc_info.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* /proc/<pid>/<name>, NUL-terminated, NULs inside turned into spaces;
 * the length, or -1. */
static ssize_t read_proc(pid_t pid, const char *name, char *buf, size_t cap)
{
    char path[64];
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, name);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        return -1;
    }
    n = read(fd, buf, cap - 1);
    close(fd);
    if (n <= 0) {
        return -1;
    }
    for (ssize_t i = 0; i < n; i++) {
        buf[i] = buf[i] == '\0' ? ' ' : buf[i];
    }
    buf[n] = '\0';
    return n;
}

bool proc_cmdline_contains(pid_t pid, const char *needle)
{
    char buf[8192];

    return read_proc(pid, "cmdline", buf, sizeof(buf)) > 0 && strstr(buf, needle) != NULL;
}

bool proc_is_zombie(pid_t pid)
{
    char buf[512];
    const char *close_paren;

    if (read_proc(pid, "stat", buf, sizeof(buf)) <= 0) {
        return false;
    }
    close_paren = strrchr(buf, ')');
    return close_paren != NULL && close_paren[1] == ' '
           && (close_paren[2] == 'Z' || close_paren[2] == 'X');
}
