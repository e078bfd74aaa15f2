/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <nvemu/vlt.h>: vlt functions ("vlt functions" in
 * Documentation/userspace-api/nvemu-proc.rst of the nvemu tree)
 *
 * A vlt function runs as one transaction of a persistent process: entering
 * it commits the process, it runs on a DRAM stack while the OS takes no
 * commit, and returning commits what it wrote and its result at once.  A
 * crash inside re-runs it from its entry with the same arguments.  In a
 * process that is not persistent a vlt call is an ordinary call.
 *
 * With GCC and the nvemu plugin (nvemu-cc, or pkg-config nvemu-vlt):
 *
 *	vlt void matmul(const double *a, const double *b, double *c, size_t n);
 *
 * With any C compiler, the macro form (no plugin; up to 8 parameters, each
 * given as a type and a name; a type must be one token sequence that a
 * declaration "TYPE NAME" accepts, so use a typedef for arrays and function
 * pointers):
 *
 *	NVEMU_VLT(double, dot, const double *, a, const double *, b, size_t, n)
 *	{
 *		...
 *	}
 *	NVEMU_VLT_VOID(sort, int *, v, size_t, n)
 *	{
 *		...
 *	}
 *
 * Define NVEMU_VLT_OFF to build the same source with vlt meaning nothing
 * (both forms become ordinary functions).
 */
#ifndef _NVEMU_VLT_H
#define _NVEMU_VLT_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The runtime (libnvemu): run entry(frame), as a transaction in a
 * persistent process, as an ordinary call otherwise.  Called by the code
 * the plugin and the macros generate, not by programs.
 */
void __nvemu_vlt_call(void (*entry)(void *arg), void *frame);

#if defined(NVEMU_VLT_OFF)
# define vlt
#elif defined(__has_attribute)
# if __has_attribute(vlt)
#  define vlt __attribute__((vlt))
# endif
#endif
#ifndef vlt
/* an error where vlt is used, so that the macro form needs no plugin */
# define vlt _Pragma("GCC error \"vlt needs the nvemu GCC plugin (nvemu-cc, pkg-config nvemu-vlt); use NVEMU_VLT() or define NVEMU_VLT_OFF\"")
#endif

/* The macro form */
#define __NVEMU_VLT_N(_0, _1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, \
		      _12, _13, _14, _15, _16, N, ...) N
#define __NVEMU_VLT_NARGS(...) \
	__NVEMU_VLT_N(_, ##__VA_ARGS__, 8, x, 7, x, 6, x, 5, x, 4, x, 3, x, 2, \
		      x, 1, x, 0)
#define __NVEMU_VLT_CAT(a, b) __NVEMU_VLT_CAT2(a, b)
#define __NVEMU_VLT_CAT2(a, b) a##b

/* parameter list "T1 n1, T2 n2" */
#define __NVEMU_VLT_P0()		void
#define __NVEMU_VLT_P1(t, n)		t n
#define __NVEMU_VLT_P2(t, n, ...)	t n, __NVEMU_VLT_P1(__VA_ARGS__)
#define __NVEMU_VLT_P3(t, n, ...)	t n, __NVEMU_VLT_P2(__VA_ARGS__)
#define __NVEMU_VLT_P4(t, n, ...)	t n, __NVEMU_VLT_P3(__VA_ARGS__)
#define __NVEMU_VLT_P5(t, n, ...)	t n, __NVEMU_VLT_P4(__VA_ARGS__)
#define __NVEMU_VLT_P6(t, n, ...)	t n, __NVEMU_VLT_P5(__VA_ARGS__)
#define __NVEMU_VLT_P7(t, n, ...)	t n, __NVEMU_VLT_P6(__VA_ARGS__)
#define __NVEMU_VLT_P8(t, n, ...)	t n, __NVEMU_VLT_P7(__VA_ARGS__)
/* frame members "T1 n1; T2 n2;" */
#define __NVEMU_VLT_M0()
#define __NVEMU_VLT_M1(t, n)		t n;
#define __NVEMU_VLT_M2(t, n, ...)	t n; __NVEMU_VLT_M1(__VA_ARGS__)
#define __NVEMU_VLT_M3(t, n, ...)	t n; __NVEMU_VLT_M2(__VA_ARGS__)
#define __NVEMU_VLT_M4(t, n, ...)	t n; __NVEMU_VLT_M3(__VA_ARGS__)
#define __NVEMU_VLT_M5(t, n, ...)	t n; __NVEMU_VLT_M4(__VA_ARGS__)
#define __NVEMU_VLT_M6(t, n, ...)	t n; __NVEMU_VLT_M5(__VA_ARGS__)
#define __NVEMU_VLT_M7(t, n, ...)	t n; __NVEMU_VLT_M6(__VA_ARGS__)
#define __NVEMU_VLT_M8(t, n, ...)	t n; __NVEMU_VLT_M7(__VA_ARGS__)
/* arguments from a frame pointer "f->n1, f->n2" */
#define __NVEMU_VLT_A0()
#define __NVEMU_VLT_A1(t, n)		__f->n
#define __NVEMU_VLT_A2(t, n, ...)	__f->n, __NVEMU_VLT_A1(__VA_ARGS__)
#define __NVEMU_VLT_A3(t, n, ...)	__f->n, __NVEMU_VLT_A2(__VA_ARGS__)
#define __NVEMU_VLT_A4(t, n, ...)	__f->n, __NVEMU_VLT_A3(__VA_ARGS__)
#define __NVEMU_VLT_A5(t, n, ...)	__f->n, __NVEMU_VLT_A4(__VA_ARGS__)
#define __NVEMU_VLT_A6(t, n, ...)	__f->n, __NVEMU_VLT_A5(__VA_ARGS__)
#define __NVEMU_VLT_A7(t, n, ...)	__f->n, __NVEMU_VLT_A6(__VA_ARGS__)
#define __NVEMU_VLT_A8(t, n, ...)	__f->n, __NVEMU_VLT_A7(__VA_ARGS__)
/* stores into the frame "__f.n1 = n1; __f.n2 = n2;" */
#define __NVEMU_VLT_S0()
#define __NVEMU_VLT_S1(t, n)		__f.n = n;
#define __NVEMU_VLT_S2(t, n, ...)	__f.n = n; __NVEMU_VLT_S1(__VA_ARGS__)
#define __NVEMU_VLT_S3(t, n, ...)	__f.n = n; __NVEMU_VLT_S2(__VA_ARGS__)
#define __NVEMU_VLT_S4(t, n, ...)	__f.n = n; __NVEMU_VLT_S3(__VA_ARGS__)
#define __NVEMU_VLT_S5(t, n, ...)	__f.n = n; __NVEMU_VLT_S4(__VA_ARGS__)
#define __NVEMU_VLT_S6(t, n, ...)	__f.n = n; __NVEMU_VLT_S5(__VA_ARGS__)
#define __NVEMU_VLT_S7(t, n, ...)	__f.n = n; __NVEMU_VLT_S6(__VA_ARGS__)
#define __NVEMU_VLT_S8(t, n, ...)	__f.n = n; __NVEMU_VLT_S7(__VA_ARGS__)

/* the body and entry stay separate functions: nothing crosses the switch */
#if defined(__clang__)
# define __NVEMU_VLT_KEEP	__attribute__((noinline))
#else
# define __NVEMU_VLT_KEEP	__attribute__((noinline, noclone))
#endif

#define __NVEMU_VLT_X(kind, ...) \
	__NVEMU_VLT_CAT(kind, __NVEMU_VLT_NARGS(__VA_ARGS__))(__VA_ARGS__)

#ifdef NVEMU_VLT_OFF
# define NVEMU_VLT(ret, name, ...) \
	ret name(__NVEMU_VLT_X(__NVEMU_VLT_P, __VA_ARGS__))
# define NVEMU_VLT_VOID(name, ...) \
	void name(__NVEMU_VLT_X(__NVEMU_VLT_P, __VA_ARGS__))
#else
# define NVEMU_VLT(ret, name, ...)					\
	static ret name##__vlt_body(__NVEMU_VLT_X(__NVEMU_VLT_P, __VA_ARGS__)) \
		__NVEMU_VLT_KEEP;					\
	struct name##__vlt_frame {					\
		__NVEMU_VLT_X(__NVEMU_VLT_M, __VA_ARGS__)		\
		ret __ret;						\
	};								\
	static void __NVEMU_VLT_KEEP					\
	name##__vlt_entry(void *__p)					\
	{								\
		struct name##__vlt_frame *__f = (struct name##__vlt_frame *)__p; \
		__f->__ret = name##__vlt_body(__NVEMU_VLT_X(__NVEMU_VLT_A, __VA_ARGS__)); \
	}								\
	ret name(__NVEMU_VLT_X(__NVEMU_VLT_P, __VA_ARGS__))		\
	{								\
		struct name##__vlt_frame __f;				\
									\
		__NVEMU_VLT_X(__NVEMU_VLT_S, __VA_ARGS__)		\
		__nvemu_vlt_call(name##__vlt_entry, &__f);		\
		return __f.__ret;					\
	}								\
	static ret name##__vlt_body(__NVEMU_VLT_X(__NVEMU_VLT_P, __VA_ARGS__))
# define NVEMU_VLT_VOID(name, ...)					\
	static void name##__vlt_body(__NVEMU_VLT_X(__NVEMU_VLT_P, __VA_ARGS__)) \
		__NVEMU_VLT_KEEP;					\
	struct name##__vlt_frame {					\
		__NVEMU_VLT_X(__NVEMU_VLT_M, __VA_ARGS__)		\
		char __empty;						\
	};								\
	static void __NVEMU_VLT_KEEP					\
	name##__vlt_entry(void *__p)					\
	{								\
		struct name##__vlt_frame *__f = (struct name##__vlt_frame *)__p; \
		(void)__f;						\
		name##__vlt_body(__NVEMU_VLT_X(__NVEMU_VLT_A, __VA_ARGS__)); \
	}								\
	void name(__NVEMU_VLT_X(__NVEMU_VLT_P, __VA_ARGS__))		\
	{								\
		struct name##__vlt_frame __f;				\
									\
		__NVEMU_VLT_X(__NVEMU_VLT_S, __VA_ARGS__)		\
		__nvemu_vlt_call(name##__vlt_entry, &__f);		\
	}								\
	static void name##__vlt_body(__NVEMU_VLT_X(__NVEMU_VLT_P, __VA_ARGS__))
#endif

#ifdef __cplusplus
}
#endif
#endif /* _NVEMU_VLT_H */
