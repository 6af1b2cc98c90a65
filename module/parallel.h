/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parallel crypto with ordered completion, on top of the kernel's padata.
 *
 * A job has two stages: crypt() (encrypt or decrypt a batch of packets) runs
 * on any CPU of the padata instance, several jobs at once; finish() (send,
 * or check and deliver) runs afterwards, one job at a time per CPU, in the
 * order the jobs were submitted to their queue, on the CPU chosen at
 * submission. A device has one queue per direction; a peer always asks for
 * the same CPU, so its packets leave and arrive in order and from one CPU.
 */
#ifndef _VEIL_PARALLEL_H
#define _VEIL_PARALLEL_H

#include <linux/atomic.h>
#include <linux/padata.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct veil_pqueue;

struct veil_job {
	struct padata_priv padata;
	/* Parallel stage: BHs off, any CPU, no ordering. */
	void (*crypt)(struct veil_job *job);
	/*
	 * Serial stage: BHs off, in submission order. It ends the job and may
	 * free it; the queue is kept alive until the job is counted done.
	 */
	void (*finish)(struct veil_job *job);
	struct veil_pqueue *queue;
};

/*
 * struct veil_pqueue - one ordered stream of jobs (a padata shell).
 * @inflight: jobs handed to padata and not finished yet; 0 lets a new job
 *	run inline without overtaking anything.
 * @parallel: jobs that went through padata (a statistic, for the tests).
 * @inline_jobs: jobs run in the submitting context.
 * @sync: jobs padata took but whose crypt() it ran in the submitting
 *	context, because its global pool of work items was empty.
 * @sparse_inline: at most one job a jiffy may run inline.
 * @inline_jiffy: jiffies when the last job ran inline (with @sparse_inline).
 * @lockdep_lock: serialises the lockdep annotation of padata's locks
 *	(parallel.c, veil_pqueue_annotate()).
 */
struct veil_pqueue {
	struct padata_shell *shell;
	atomic_t inflight;
	atomic64_t parallel;
	atomic64_t inline_jobs;
	atomic64_t sync;
	bool sparse_inline;
	unsigned long inline_jiffy;
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	spinlock_t lockdep_lock; /* see @lockdep_lock above */
#endif
};

int veil_parallel_init(void);
void veil_parallel_exit(void);

/*
 * With @sparse_inline, a may-inline job runs inline only if no job of @q did
 * in the current jiffy: sparse traffic (pings, keepalives) keeps the short
 * path, a stream of small packets goes to padata.
 */
int veil_pqueue_init(struct veil_pqueue *q, bool sparse_inline);
void veil_pqueue_drain(struct veil_pqueue *q);
void veil_pqueue_free(struct veil_pqueue *q);

/*
 * Runs job->crypt() then job->finish(), exactly once each; call with BHs off.
 * @cpu picks the CPU finish() runs on (any number: it is folded onto the
 * usable CPUs). With @may_inline, a job that finds the queue idle runs both
 * stages right here: cheaper for a lone small packet, and it overtakes
 * nothing. If padata refuses the job (its CPU masks are being changed), it
 * runs inline too.
 */
void veil_pqueue_submit(struct veil_pqueue *q, struct veil_job *job,
			unsigned int cpu, bool may_inline);

/*
 * Whether padata's work items all seem taken by our jobs, so that the next
 * job submitted would run its crypt() synchronously in the submitter.
 */
bool veil_pqueue_saturated(void);

/* The module parameter: 0 runs every job inline (no padata). */
extern bool veil_parallel_enabled;
/* The module parameter: the largest lone packet a job may run inline. */
extern unsigned int veil_inline_max;

/* Whether a job of @count packets, the first of @len bytes, may run inline. */
static inline bool veil_pqueue_may_inline(unsigned int count, unsigned int len)
{
	return count == 1 && len <= READ_ONCE(veil_inline_max);
}

#endif /* _VEIL_PARALLEL_H */
