/* SPDX-License-Identifier: GPL-2.0 */
/* The capabilities each command really needs, checked before it touches
 * anything. uid 0 is not enough: `setpriv --bounding-set=-all` leaves a
 * root process whose bpf() calls fail with EPERM, which must never read as
 * "nothing is attached" or lead to half a detach.
 *
 * What needs what (kernel/bpf/syscall.c, net/core/dev.c):
 *   - BPF_{PROG,MAP,LINK}_GET_NEXT_ID and *_GET_FD_BY_ID: CAP_SYS_ADMIN,
 *     whatever CAP_BPF says. Every command finds programs and maps by id
 *     (what runs on an interface, which maps a program uses), so every
 *     command needs CAP_SYS_ADMIN, which also makes bpf_capable() and
 *     perfmon_capable() true for loading.
 *   - loading an XDP program and attaching or detaching it: CAP_NET_ADMIN.
 *   - the pins are root-only (0700 directories): a process that is not
 *     uid 0 needs CAP_DAC_OVERRIDE as well.
 */
#ifndef XG_CAPS_H
#define XG_CAPS_H

enum xg_need {
	XG_NEED_SYS_ADMIN = 1 << 0, /* ids of programs, maps and links */
	XG_NEED_NET_ADMIN = 1 << 1, /* XDP load, attach, detach */
};

/* 0 when every needed capability is effective; otherwise prints
 * "<what>: missing CAP_X (why), ..." and returns -EPERM.
 */
int xg_require_caps(const char *what, unsigned int need);

#endif
