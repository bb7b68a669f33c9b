/*
 * proc_info.h — what /proc says about another process: its command line
 * (to find the processes that work for a task or a program after a daemon
 * restart) and whether it is a zombie.
 */
#ifndef PROC_INFO_H
#define PROC_INFO_H

#include <stdbool.h>
#include <sys/types.h>

/* Whether pid's command line (arguments joined by spaces, the first 8 KiB)
 * contains needle. */
bool proc_cmdline_contains(pid_t pid, const char *needle);

/* Whether pid has exited but is not reaped yet (state Z or X). */
bool proc_is_zombie(pid_t pid);

#endif
