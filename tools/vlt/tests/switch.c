// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for libnvemu's __nvemu_vlt_call() in the host tests: runs
 * every outermost vlt call on a stack of its own (ucontext), as the kernel
 * runs it on the DRAM stack, and calls nested ones directly, as the
 * runtime does.  The old stack region the body must not need is the
 * caller's: the body reaches its arguments only through the frame.
 * At exit it prints to stderr how many transfers and nested calls it saw,
 * which the test compares with the number the program expects.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#define STACK_SIZE	(1 << 20)

static unsigned long transfers, nested;
static int depth;
static ucontext_t caller, callee;
static void (*cur_entry)(void *);
static void *cur_frame;

static void trampoline(void)
{
	depth++;
	cur_entry(cur_frame);
	depth--;
}

void __nvemu_vlt_call(void (*entry)(void *), void *frame)
{
	static char *stack;

	if (depth) {
		nested++;
		entry(frame);
		return;
	}
	transfers++;
	if (!stack) {
		stack = malloc(STACK_SIZE);
		if (!stack)
			abort();
	}
	/* a stack that held garbage, as a reused DRAM stack does */
	memset(stack, 0xa5, STACK_SIZE);
	cur_entry = entry;
	cur_frame = frame;
	if (getcontext(&callee))
		abort();
	callee.uc_stack.ss_sp = stack;
	callee.uc_stack.ss_size = STACK_SIZE;
	callee.uc_link = &caller;
	makecontext(&callee, trampoline, 0);
	if (swapcontext(&caller, &callee))
		abort();
}

static void __attribute__((destructor)) report(void)
{
	fprintf(stderr, "transfers %lu nested %lu\n", transfers, nested);
}
