/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP output for the nvemu host unit tests
 */
#ifndef NVEMU_TAP_H
#define NVEMU_TAP_H

#include <stdio.h>

static int tap_n, tap_failed;

#define ok(cond, ...)							\
	do {								\
		int _c = !!(cond);					\
		printf("%sok %d - ", _c ? "" : "not ", ++tap_n);	\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		if (!_c) {						\
			tap_failed++;					\
			printf("#   failed at %s:%d: %s\n", __FILE__,	\
			       __LINE__, #cond);			\
		}							\
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_failed)
		printf("# %d of %d failed\n", tap_failed, tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* NVEMU_TAP_H */
