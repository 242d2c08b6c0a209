/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers the subcommands share: the lock, numbers, addresses. */
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

/* 0 when the process holds CAP_SYS_ADMIN (and is uid 0 or has
 * CAP_DAC_OVERRIDE), else an error naming the command and what is missing
 * (caps.h). For commands that need nothing more.
 */
int xg_require_root(const char *cmd);

/* For layers not yet on the pin library (pins.h): xg_bpffs_ready(...,
 * XG_BPFFS_MOUNT), which mounts bpffs on a fresh boot and refuses the
 * private one of `ip netns exec`.
 */
int xg_ensure_bpffs(void);

/* Remove every file in dir, link pins included (which detaches a link
 * held only by its pin), then dir, then XG_PIN_ROOT if it is left empty.
 * The socket layer's removal; instance directories use xg_pins_remove(),
 * which never removes a live link.
 */
int xg_remove_pin_dir(const char *dir);

/* Take XG_LOCK_FILE, exclusively to change state (attach, detach) or
 * shared to read it (status), waiting for a holder to finish: a reader
 * never sees half an attach. Returns the fd to pass to xg_unlock, or a
 * negative error (reported). While held exclusively, termination signals
 * wait until xg_unlock.
 */
int xg_lock(const char *cmd);
int xg_lock_shared(const char *cmd);
void xg_unlock(int fd);

/* qsort() for arrays that may be empty: C leaves qsort(NULL, 0, ...)
 * undefined (UBSan reports it), and an empty table's rows are NULL.
 */
void xg_qsort(void *base, size_t n, size_t size,
	      int (*cmp)(const void *, const void *));

/* Number of CPUs per-CPU map values are sized for. */
int xg_nr_cpus(void);

/* Format an address from xg_pkt_meta/saddr-style bytes. */
const char *xg_addr_str(int family, const void *addr, char *buf, size_t len);

/* "xdpgate: error: <cmd>: <fmt with arg>" and the first line of usage on
 * stderr; returns 2, the usage-error exit status.
 */
int xg_usage_error(const char *cmd, const char *usage, const char *fmt,
		   const char *arg);

/* Seconds as a decimal number from min to max ("0.5", "2"); -EINVAL. */
int xg_parse_seconds(const char *s, double min, double max, double *out);

/* Report the option getopt_long (with opterr = 0) just rejected. */
void xg_bad_option(const char *cmd, char **argv);

/* strtoul with full-string and range checks. */
int xg_parse_u64(const char *s, unsigned long long max, unsigned long long *out);

/* Decimal digits only, no sign, no leading zero ("0100" is not read as
 * octal, "0x20" as hex, "+64" as 64): -EINVAL for anything else, -ERANGE
 * above max.
 */
int xg_parse_decimal(const char *s, unsigned long long max, unsigned long long *out);

#endif
