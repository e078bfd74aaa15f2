// SPDX-License-Identifier: GPL-2.0
/*
 * vlt functions of many signatures.  Built three ways by run-tests: with
 * the plugin (every vlt call goes through switch.c onto another stack),
 * with -DNVEMU_VLT_OFF (ordinary functions), and both must print the same
 * bytes.  EXPECT_TRANSFERS and EXPECT_NESTED are what switch.c must count.
 */
#include <complex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <alloca.h>
#include <nvemu/vlt.h>

#define EXPECT_TRANSFERS	33
#define EXPECT_NESTED		26

struct pair { int x; float y; };
struct big { long a[7]; };
struct hfa { double x, y, z, w; };
struct f3 { float a, b, c; };
struct ld { long double v; char tag; };
union u { double d; uint64_t bits; };
struct odd { char c[3]; };
typedef int (*binop)(int, int);

vlt void nothing(void) { }
vlt int add(int a, int b) { return a + b; }
vlt unsigned char uc(unsigned char a, signed char b, short c, unsigned short d,
		     bool e)
{
	return (unsigned char)(a + b + c + d + e);
}
vlt float fsum(float a, double b, float c) { return a + (float)b + c; }
vlt double fma3(double a, double b, double c) { return a * b + c; }
vlt long double ldmul(long double a, long double b) { return a * b; }
vlt double complex cmul(double complex a, double complex b) { return a * b; }
vlt float complex cfadd(float complex a, float complex b) { return a + b; }
vlt long double complex cld(long double complex a) { return a * 2; }
vlt __int128 i128(__int128 a, __int128 b) { return a * b + 1; }
vlt struct pair pswap(struct pair p) { return (struct pair){ (int)p.y, (float)p.x }; }
vlt struct big mkbig(long s)
{
	struct big b;

	for (int i = 0; i < 7; i++)
		b.a[i] = s * (i + 1);
	return b;
}
vlt long bigsum(struct big b, struct big c)
{
	long t = 0;

	for (int i = 0; i < 7; i++)
		t += b.a[i] - c.a[i];
	return t;
}
vlt struct hfa hscale(struct hfa h, double k)
{
	return (struct hfa){ h.x * k, h.y * k, h.z * k, h.w * k };
}
vlt struct f3 f3rot(struct f3 v) { return (struct f3){ v.b, v.c, v.a }; }
vlt struct ld ldtag(struct ld v, char t) { v.v /= 4; v.tag = t; return v; }
vlt union u ubits(union u v) { v.bits ^= 1; return v; }
vlt struct odd oddrev(struct odd o) { return (struct odd){ { o.c[2], o.c[1], o.c[0] } }; }
vlt int apply(binop f, int a, int b) { return f(a, b); }
vlt const char *pick(const char *const *v, int i) { return v[i]; }
/* more integer and floating-point arguments than registers */
vlt double spill(long a, long b, long c, long d, long e, long f, long g,
		 long h, long i, long j, double p, double q, double r,
		 double s, double t, double u, double v, double w, double x,
		 double y, float z)
{
	return a - b + c - d + e - f + g - h + i - j +
	       p * 2 + q * 3 + r * 4 + s * 5 + t * 6 + u * 7 + v * 8 +
	       w * 9 + x * 10 + y * 11 + z * 12;
}
/* variably modified parameters */
vlt void matvec(int n, const double m[n][n], const double v[n], double out[n])
{
	for (int i = 0; i < n; i++) {
		out[i] = 0;
		for (int j = 0; j < n; j++)
			out[i] += m[i][j] * v[j];
	}
}
/* recursion: the inner calls are nested */
vlt long fib(long n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
/* a vlt function calling another: nested */
vlt int twice(int a) { return add(a, a) + add(1, 0); }
/* statics, labels, local types, VLA and alloca locals, __func__ */
vlt int body_features(int n)
{
	static int calls;
	struct local { int k; } l = { n };
	int vla[n + 1];
	char *buf = alloca(32);
	int i = 0;

	calls++;
again:
	vla[i] = i * l.k;
	if (++i <= n)
		goto again;
	snprintf(buf, 32, "%s:%d", __func__, calls);
	return vla[n] + (int)strlen(buf);
}
vlt int cq(const int a, volatile int b) { return a - b; }
vlt bool isodd(unsigned long long v) { return v & 1; }
vlt void *ptrid(void *p) { return p; }
/* declared vlt here, defined without repeating it below */
vlt int declared_first(int a);
int declared_first(int a) { return a * 7; }
static vlt int hidden(int a) { return a - 7; }

static int mul(int a, int b) { return a * b; }

int main(void)
{
	static const char *const words[] = { "zero", "one", "two" };
	const double m[3][3] = { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 } };
	const double v[3] = { 1, 0.5, 0.25 };
	struct big b1 = mkbig(3), b2 = mkbig(1);
	struct hfa h = hscale((struct hfa){ 1, 2, 3, 4 }, 1.5);
	struct f3 r = f3rot((struct f3){ 1.5f, 2.5f, 3.5f });
	struct ld l = ldtag((struct ld){ 10.0L, 'a' }, 'z');
	struct pair p = pswap((struct pair){ 7, 2.5f });
	struct odd o = oddrev((struct odd){ { 'a', 'b', 'c' } });
	double complex c = cmul(1 + 2 * I, 3 - I);
	float complex cf = cfadd(1.5f + 0.5f * I, 2 - I);
	long double complex cl = cld(1.25L + 0.5L * I);
	__int128 w = i128((__int128)1 << 70, 3);
	double out[3];
	int (*fp)(int, int) = add;

	nothing();
	matvec(3, m, v, out);
	printf("add %d uc %u fsum %.3f fma %.3f ld %.6Lf\n", add(2, 40),
	       uc(250, -3, 300, 7, true), fsum(1.25f, 2.5, 0.125f),
	       fma3(1.5, 2, 0.25), ldmul(1.5L, 3.25L));
	printf("cmul %.1f%+.1fi cf %.2f%+.2fi cld %.3Lf%+.3Lfi\n", creal(c),
	       cimag(c), crealf(cf), cimagf(cf), creall(cl), cimagl(cl));
	printf("i128 %llx:%llx\n", (unsigned long long)(w >> 64),
	       (unsigned long long)w);
	printf("pair %d %.1f big %ld %ld bigsum %ld\n", p.x, p.y, b1.a[0],
	       b1.a[6], bigsum(b1, b2));
	printf("hfa %.2f %.2f %.2f %.2f f3 %.1f %.1f %.1f ld %.3Lf %c\n", h.x,
	       h.y, h.z, h.w, r.a, r.b, r.c, l.v, l.tag);
	printf("union %llx odd %c%c%c apply %d pick %s\n",
	       (unsigned long long)ubits((union u){ .d = 1.0 }).bits,
	       o.c[0], o.c[1], o.c[2], apply(mul, 6, 7), pick(words, 2));
	printf("spill %.2f\n", spill(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1.5, 2.5,
				     3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5,
				     0.25f));
	printf("matvec %.2f %.2f %.2f\n", out[0], out[1], out[2]);
	printf("fib %ld twice %d features %d %d\n", fib(6), twice(20),
	       body_features(4), body_features(5));
	printf("cq %d odd %d ptr %d declared %d hidden %d fp %d\n", cq(9, 4),
	       isodd(77), ptrid(&o) == (void *)&o, declared_first(6),
	       hidden(10), fp(3, 4));
	fprintf(stderr, "expect transfers %d nested %d\n", EXPECT_TRANSFERS,
		EXPECT_NESTED);
	return 0;
}
