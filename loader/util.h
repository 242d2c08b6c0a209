/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers the subcommands share: privileges, bpffs, interfaces, pins. */
#ifndef XG_UTIL_H
#define XG_UTIL_H

#include <linux/types.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#define XG_PATH_MAX 256

/* Loaders that change attachments take this lock. It lives outside bpffs
 * because XG_PIN_ROOT itself is removed when the last interface goes.
 */
#define XG_LOCK_FILE "/run/xdpgate.lock"

/* 0 when running with CAP_SYS_ADMIN/root, else an error naming the command. */
int xg_require_root(const char *cmd);

/* Mount bpffs on XG_BPFFS unless a bpffs is already there. */
int xg_ensure_bpffs(void);

/* Take XG_LOCK_FILE exclusively (waits for another loader to finish).
 * Returns the fd to pass to xg_unlock, or a negative error (reported).
 */
int xg_lock(const char *cmd);
void xg_unlock(int fd);

/* Resolve an interface name; prints "interface X: no such interface". */
int xg_ifindex(const char *ifname);

/* XG_PIN_ROOT/<ifname> into buf. */
int xg_pin_dir(const char *ifname, char *buf, size_t len);

/* Create XG_PIN_ROOT and XG_PIN_ROOT/<ifname>, mode 0700 (root only). */
int xg_make_pin_dir(const char *ifname, char *buf, size_t len);

/* Remove every file in the directory, then the directory (not recursive
 * beyond one level: the loader pins nothing deeper).
 */
int xg_remove_pin_dir(const char *dir);

/* Number of CPUs per-CPU map values are sized for. */
int xg_nr_cpus(void);

/* Format an address from xg_pkt_meta/saddr-style bytes. */
const char *xg_addr_str(int family, const void *addr, char *buf, size_t len);

/* Report the option getopt_long (with opterr = 0) just rejected. */
void xg_bad_option(const char *cmd, char **argv);

/* strtoul with full-string and range checks. */
int xg_parse_u64(const char *s, unsigned long long max, unsigned long long *out);

#endif
