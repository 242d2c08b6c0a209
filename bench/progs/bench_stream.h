/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the scenario 2 driver and the harness: the source stream is a
 * ring of this many IPv4 addresses (a power of two, so the index is a mask).
 */
#ifndef BENCH_STREAM_H
#define BENCH_STREAM_H

#define BENCH_STREAM_LEN (1U << 21)

#endif
