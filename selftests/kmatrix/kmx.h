/* SPDX-License-Identifier: GPL-2.0 */
/* What the kernel-matrix helper (kmx) and its counting program share. */
#ifndef KMX_H
#define KMX_H

/* bench/packets.c writes this source MAC into every benchmark frame, and
 * kmx send reuses those builders.
 */
#define KMX_SENDER_MAC { 0x02, 0, 0, 0, 0, 0x01 }

/* Where kmx pins the counter, so a later kmx call can read it. */
#define KMX_SEEN_PIN "/sys/fs/bpf/kmx_seen"

#endif
