/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libnvemu: the assembly half of the vlt runtime (in vlt.c) */
#ifndef LIBNVEMU_VLT_H
#define LIBNVEMU_VLT_H

/*
 * prctl(PR_NVEMU_VLT, PR_NVEMU_VLT_ENTER, run, arg, pad) without glibc's
 * wrapper (which returns int): 0 once the function ran and was committed,
 * or a negative errno before anything happened.
 */
long __nvemu_vlt_enter(void (*run)(void *arg), void *arg, void (*pad)(void));

/* Where run() returns to: makes the EXIT call, never returns */
void __nvemu_vlt_pad(void);

#endif /* LIBNVEMU_VLT_H */
