/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libnvemu - helpers of the library's own files (not installed)
 */
#ifndef LIBNVEMU_INTERNAL_H
#define LIBNVEMU_INTERNAL_H

#define ULL(x)		((unsigned long long)(x))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* __printf() as in the kernel's <linux/compiler_attributes.h> */
#define nv_printf_format(a, b)	__format__(printf, a, b)
#define __printf(a, b)		__attribute__((nv_printf_format(a, b)))

#endif /* LIBNVEMU_INTERNAL_H */
