// SPDX-License-Identifier: GPL-2.0
/*
 * The macro form of <nvemu/vlt.h>, for compilers without the plugin.
 * Built with gcc and clang, with and without NVEMU_VLT_OFF; the outputs
 * must agree and switch.c must count EXPECT_TRANSFERS and EXPECT_NESTED.
 */
#include <stdio.h>
#include <nvemu/vlt.h>

#define EXPECT_TRANSFERS	7
#define EXPECT_NESTED		24

struct big { long a[5]; };
struct hfa { double x, y; };
typedef double row3[3];

NVEMU_VLT(int, zero)
{
	return 0;
}

NVEMU_VLT(int, add, int, a, int, b)
{
	return a + b;
}

NVEMU_VLT(long, fib, long, n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

NVEMU_VLT(struct big, mkbig, long, s, double, k)
{
	struct big b;

	for (int i = 0; i < 5; i++)
		b.a[i] = s + (long)(k * i);
	return b;
}

NVEMU_VLT(struct hfa, hmix, struct hfa, h, float, f, long double, ld)
{
	return (struct hfa){ h.y * f, h.x + (double)ld };
}

NVEMU_VLT_VOID(rows, int, n, const row3 *, m, double *, out)
{
	for (int i = 0; i < n; i++)
		out[i] = m[i][0] + m[i][1] + m[i][2];
}

NVEMU_VLT(double, eight, int, a, int, b, int, c, int, d, double, e,
	  double, f, double, g, long, h)
{
	return a + b + c + d + e + f + g + h;
}

int main(void)
{
	const row3 m[2] = { { 1, 2, 3 }, { 4, 5, 6 } };
	struct big b = mkbig(10, 1.5);
	struct hfa h = hmix((struct hfa){ 1.5, 2.5 }, 2.0f, 0.25L);
	double out[2];

	rows(2, m, out);
	printf("zero %d add %d fib %ld big %ld %ld\n", zero(), add(2, 3),
	       fib(6), b.a[0], b.a[4]);
	printf("hfa %.2f %.2f rows %.1f %.1f eight %.2f\n", h.x, h.y, out[0],
	       out[1], eight(1, 2, 3, 4, 0.5, 0.25, 0.125, 8));
	fprintf(stderr, "expect transfers %d nested %d\n", EXPECT_TRANSFERS,
		EXPECT_NESTED);
	return 0;
}
