// SPDX-License-Identifier: GPL-2.0
/* splitmix64: small, seedable, good enough to shuffle program order and
 * draw source mixes; the seed is recorded so a run's order can be replayed.
 */
#include "bench.h"

__u64 bench_rand(__u64 *state)
{
	__u64 z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void bench_shuffle(int *idx, int n, __u64 *state)
{
	int i, j, t;

	for (i = n - 1; i > 0; i--) {
		j = (int)(bench_rand(state) % (__u64)(i + 1));
		t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
	}
}
