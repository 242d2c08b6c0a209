// SPDX-License-Identifier: GPL-2.0
/* corpus_dump DIR: every corpus shape (selftests/corpus.h) as one file in
 * DIR, the seed corpus `make fuzz` gives libFuzzer, so coverage-guided
 * fuzzing starts from frames that reach deep into the parser.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "corpus.h"

int main(int argc, char **argv)
{
	const struct xg_corpus *cp;
	char path[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: corpus_dump DIR\n");
		return 2;
	}
	cp = xg_corpus_get();
	for (int i = 0; i < cp->n_base; i++) {
		const struct xg_case *c = &cp->c[i];
		FILE *f;
		int ok;

		snprintf(path, sizeof(path), "%s/%03d-%s", argv[1], i, c->name);
		f = fopen(path, "wb");
		if (!f) {
			fprintf(stderr, "corpus_dump: %s: %s\n", path, strerror(errno));
			return 1;
		}
		ok = fwrite(c->bytes, 1, c->len, f) == c->len;
		if (fclose(f) || !ok) {
			fprintf(stderr, "corpus_dump: cannot write %s\n", path);
			return 1;
		}
	}
	printf("corpus_dump: %d shapes written to %s\n", cp->n_base, argv[1]);
	return 0;
}
