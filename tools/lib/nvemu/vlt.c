// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libnvemu: the runtime of vlt functions (design/vlt.md, section 0.4)
 *
 * The code the nvemu GCC plugin or the NVEMU_VLT() macros generate for a
 * vlt function calls __nvemu_vlt_call(entry, frame).  In a persistent
 * process the outermost call becomes prctl(PR_NVEMU_VLT_ENTER): the kernel
 * commits, runs vlt_run() on the task's DRAM stack, and returns here once
 * the function returned, vlt-ARCH.S's pad made the EXIT call and the kernel
 * committed again.  Anything else is an ordinary call: a process that is
 * not persistent (or a kernel without nvemu), and calls nested inside a
 * vlt function, which run inside the outer one's transaction.
 *
 * Persistent processes are single-threaded, so the depth is a plain
 * variable.  It is committed as 0 by ENTER (vlt_run() raises it on the
 * DRAM side), so a re-run after a crash starts at depth 0 again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/nvemu_proc.h>

#include "vlt.h"

#define VLT_STR(x)	#x
#define VLT_XSTR(x)	VLT_STR(x)

/*
 * __nvemu_vlt_enter(run, arg, pad) makes prctl(PR_NVEMU_VLT,
 * PR_NVEMU_VLT_ENTER, run, arg, pad) without glibc's wrapper (it returns
 * int).  The kernel returns into run(arg) on the DRAM stack with pad as
 * the return address; pad's EXIT call makes the kernel return to the
 * instruction after our system call with our stack pointer and 0.  run()
 * is an ordinary function, so the callee-saved registers are ours again
 * by then; the return address register of arm64 is not, so it is saved
 * on our stack around the call.
 */
#if defined(__x86_64__)
__asm__("	.text\n"
"	.globl	__nvemu_vlt_enter\n"
"	.hidden	__nvemu_vlt_enter\n"
"	.type	__nvemu_vlt_enter, @function\n"
"__nvemu_vlt_enter:\n"
"	.cfi_startproc\n"
"	movq	%rdx, %r8\n"
"	movq	%rsi, %r10\n"
"	movq	%rdi, %rdx\n"
"	movl	$" VLT_XSTR(PR_NVEMU_VLT_ENTER) ", %esi\n"
"	movl	$" VLT_XSTR(PR_NVEMU_VLT) ", %edi\n"
"	movl	$" VLT_XSTR(SYS_prctl) ", %eax\n"
"	syscall\n"
"	ret\n"
"	.cfi_endproc\n"
"	.size	__nvemu_vlt_enter, . - __nvemu_vlt_enter\n"
"	.globl	__nvemu_vlt_pad\n"
"	.hidden	__nvemu_vlt_pad\n"
"	.type	__nvemu_vlt_pad, @function\n"
"__nvemu_vlt_pad:\n"
"	.cfi_startproc\n"
"	.cfi_undefined rip\n"
"	xorl	%edx, %edx\n"
"	xorl	%r10d, %r10d\n"
"	xorl	%r8d, %r8d\n"
"	movl	$" VLT_XSTR(PR_NVEMU_VLT_EXIT) ", %esi\n"
"	movl	$" VLT_XSTR(PR_NVEMU_VLT) ", %edi\n"
"	movl	$" VLT_XSTR(SYS_prctl) ", %eax\n"
"	syscall\n"
"	ud2\n"
"	.cfi_endproc\n"
"	.size	__nvemu_vlt_pad, . - __nvemu_vlt_pad\n");
#elif defined(__aarch64__)
__asm__("	.text\n"
"	.globl	__nvemu_vlt_enter\n"
"	.hidden	__nvemu_vlt_enter\n"
"	.type	__nvemu_vlt_enter, %function\n"
"	.p2align 2\n"
"__nvemu_vlt_enter:\n"
"	.cfi_startproc\n"
"	stp	x29, x30, [sp, #-16]!\n"
"	.cfi_def_cfa_offset 16\n"
"	.cfi_offset x29, -16\n"
"	.cfi_offset x30, -8\n"
"	mov	x29, sp\n"
"	mov	x4, x2\n"
"	mov	x3, x1\n"
"	mov	x2, x0\n"
"	mov	x1, #" VLT_XSTR(PR_NVEMU_VLT_ENTER) "\n"
"	movz	x0, #(" VLT_XSTR(PR_NVEMU_VLT) " & 0xffff)\n"
"	movk	x0, #(" VLT_XSTR(PR_NVEMU_VLT) " >> 16), lsl #16\n"
"	mov	x8, #" VLT_XSTR(SYS_prctl) "\n"
"	svc	#0\n"
"	ldp	x29, x30, [sp], #16\n"
"	.cfi_def_cfa_offset 0\n"
"	.cfi_restore x29\n"
"	.cfi_restore x30\n"
"	ret\n"
"	.cfi_endproc\n"
"	.size	__nvemu_vlt_enter, . - __nvemu_vlt_enter\n"
"	.globl	__nvemu_vlt_pad\n"
"	.hidden	__nvemu_vlt_pad\n"
"	.type	__nvemu_vlt_pad, %function\n"
"	.p2align 2\n"
"__nvemu_vlt_pad:\n"
"	.cfi_startproc\n"
"	.cfi_undefined x30\n"
"	mov	x1, #" VLT_XSTR(PR_NVEMU_VLT_EXIT) "\n"
"	movz	x0, #(" VLT_XSTR(PR_NVEMU_VLT) " & 0xffff)\n"
"	movk	x0, #(" VLT_XSTR(PR_NVEMU_VLT) " >> 16), lsl #16\n"
"	mov	x2, xzr\n"
"	mov	x3, xzr\n"
"	mov	x4, xzr\n"
"	mov	x8, #" VLT_XSTR(SYS_prctl) "\n"
"	svc	#0\n"
"	brk	#0x3e8\n"
"	.cfi_endproc\n"
"	.size	__nvemu_vlt_pad, . - __nvemu_vlt_pad\n");
#else
#error "vlt functions: x86_64 and arm64 only"
#endif

enum { VLT_UNKNOWN, VLT_PERSISTENT, VLT_PLAIN };

static int vlt_mode;
static unsigned int vlt_depth;

struct vlt_call {
	void (*entry)(void *frame);
	void *frame;
};

/* Runs on the DRAM stack; returns into __nvemu_vlt_pad */
static void vlt_run(void *arg)
{
	struct vlt_call *c = arg;

	vlt_depth++;
	c->entry(c->frame);
	vlt_depth--;
}

static int vlt_query(void)
{
	return prctl(PR_NVEMU_VLT, PR_NVEMU_VLT_QUERY, 0, 0, 0) == 1 ?
	       VLT_PERSISTENT : VLT_PLAIN;
}

void __nvemu_vlt_call(void (*entry)(void *arg), void *frame)
{
	int mode = __atomic_load_n(&vlt_mode, __ATOMIC_RELAXED);
	struct vlt_call c = { entry, frame };
	long rc;

	if (mode == VLT_UNKNOWN) {
		mode = vlt_query();
		__atomic_store_n(&vlt_mode, mode, __ATOMIC_RELAXED);
	}
	if (mode != VLT_PERSISTENT || vlt_depth) {
		entry(frame);
		return;
	}
	rc = __nvemu_vlt_enter(vlt_run, &c, __nvemu_vlt_pad);
	if (!rc)
		return;
	if (rc == -EOPNOTSUPP) {
		/* not persistent (any more): a forked child, say */
		__atomic_store_n(&vlt_mode, VLT_PLAIN, __ATOMIC_RELAXED);
		entry(frame);
		return;
	}
	/* running it without the transaction would break its promise */
	fprintf(stderr, "nvemu: cannot enter a vlt function: %s\n",
		strerror((int)-rc));
	abort();
}
