// SPDX-License-Identifier: GPL-2.0
/*
 * Parallel crypto with ordered completion: a thin layer over padata.
 *
 * One padata instance serves the module; each queue is a padata shell, so
 * the order padata keeps is the submission order within one queue. padata
 * handles CPU hotplug itself (its CPU masks follow the online CPUs), and a
 * CPU number it cannot use is replaced by one it can.
 *
 * Lifetime: every job submitted to padata is counted in @inflight until its
 * finish() has returned; veil_pqueue_drain() waits for the count to reach 0,
 * so a queue (and the device around it) outlives its jobs. padata_free()
 * at module exit destroys padata's workqueues, which waits for their last
 * work items; no callback can then run module code.
 */
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/wait_bit.h>

#include "parallel.h"

static struct padata_instance *veil_padata;

/*
 * The job this CPU is handing to padata_do_parallel(), which runs with BHs
 * off: a job whose crypt() runs while it is set here was run synchronously,
 * in the submitter, because padata's pool of work items (num_possible_cpus()
 * for all its users) was empty.
 */
static DEFINE_PER_CPU(struct veil_job *, veil_submitting);

/*
 * Our jobs between padata_do_parallel() and the end of their crypt(): each
 * holds one of padata's work items, of which there are num_possible_cpus()
 * (@veil_padata_works) for all of padata's users. An estimate (the item goes
 * back to padata's pool just after our count drops), good enough to say when
 * a new job would run synchronously.
 */
static atomic_t veil_padata_busy = ATOMIC_INIT(0);
static int veil_padata_works __read_mostly = 1;

bool veil_parallel_enabled = true;
module_param_named(parallel, veil_parallel_enabled, bool, 0644);
MODULE_PARM_DESC(parallel, "spread the data path's crypto over CPUs with padata (default 1)");

unsigned int veil_inline_max = 256;
module_param_named(inline_max, veil_inline_max, uint, 0644);
MODULE_PARM_DESC(inline_max, "largest lone packet (bytes) whose crypto runs inline when its queue is idle; 0: never (default 256)");

#ifdef CONFIG_DEBUG_LOCK_ALLOC
/*
 * A lockdep annotation for padata itself. Since the 2025 use-after-free
 * fixes (6.1.y included), padata_reorder() takes the lock of a serial queue
 * and, still holding it, the lock of a reorder list. Both are padata_list
 * locks set up by one spin_lock_init() call, so lockdep sees one class taken
 * twice and reports "possible recursive locking", although the two are never
 * the same lock and always nest in that order (serial, then reorder).
 *
 * The serial queues of our shells get a class of their own before any of
 * our jobs can reach padata_reorder() on them. padata replaces a shell's
 * parallel_data (and its locks) whenever its CPU masks change, on CPU
 * hotplug, so every job checks the class of the parallel_data it runs on;
 * the first job on a new one relabels its locks under @q->lockdep_lock,
 * while none of our jobs holds them yet.
 */
static struct lock_class_key veil_padata_serial_key;

static void veil_pqueue_annotate(struct veil_pqueue *q,
				 struct parallel_data *pd)
{
	int first = cpumask_first(cpu_possible_mask);
	int cpu;

	if (likely(per_cpu_ptr(pd->squeue, first)->serial.lock.dep_map.key ==
		   &veil_padata_serial_key))
		return;
	spin_lock(&q->lockdep_lock);
	if (per_cpu_ptr(pd->squeue, first)->serial.lock.dep_map.key !=
	    &veil_padata_serial_key) {
		for_each_possible_cpu(cpu)
			lockdep_set_class(&per_cpu_ptr(pd->squeue, cpu)->serial.lock,
					  &veil_padata_serial_key);
	}
	spin_unlock(&q->lockdep_lock);
}
#else
static inline void veil_pqueue_annotate(struct veil_pqueue *q,
					struct parallel_data *pd)
{
}
#endif

static void veil_job_parallel(struct padata_priv *padata)
{
	struct veil_job *job = container_of(padata, struct veil_job, padata);

	if (__this_cpu_read(veil_submitting) == job)
		atomic64_inc(&job->queue->sync);
	job->crypt(job);
	veil_pqueue_annotate(job->queue, padata->pd);
	padata_do_serial(padata);
	atomic_dec(&veil_padata_busy);
}

static void veil_job_serial(struct padata_priv *padata)
{
	struct veil_job *job = container_of(padata, struct veil_job, padata);
	struct veil_pqueue *q = job->queue;

	job->finish(job);
	/* wake_up_var() uses the address only: @q may be gone by then. */
	if (atomic_dec_and_test(&q->inflight))
		wake_up_var(&q->inflight);
}

/*
 * Whether a job of @q that may run inline does. Racy on purpose: two CPUs
 * may both take the jiffy's turn; this is a load heuristic, not a limit.
 */
static bool veil_pqueue_inline_turn(struct veil_pqueue *q)
{
	unsigned long now = jiffies;

	if (atomic_read(&q->inflight))
		return false;
	if (!q->sparse_inline)
		return true;
	if (READ_ONCE(q->inline_jiffy) == now)
		return false;
	WRITE_ONCE(q->inline_jiffy, now);
	return true;
}

void veil_pqueue_submit(struct veil_pqueue *q, struct veil_job *job,
			unsigned int cpu, bool may_inline)
{
	int cb_cpu, err;

	job->queue = q;
	if (!READ_ONCE(veil_parallel_enabled) ||
	    (may_inline && veil_pqueue_inline_turn(q)))
		goto run_inline;

	memset(&job->padata, 0, sizeof(job->padata));
	job->padata.parallel = veil_job_parallel;
	job->padata.serial = veil_job_serial;
	cb_cpu = cpu % nr_cpu_ids;
	atomic_inc(&q->inflight);
	atomic_inc(&veil_padata_busy);
	__this_cpu_write(veil_submitting, job);
	err = padata_do_parallel(q->shell, &job->padata, &cb_cpu);
	__this_cpu_write(veil_submitting, NULL);
	if (likely(!err)) {
		atomic64_inc(&q->parallel);
		return;
	}
	atomic_dec(&veil_padata_busy);
	if (atomic_dec_and_test(&q->inflight))
		wake_up_var(&q->inflight);

run_inline:
	atomic64_inc(&q->inline_jobs);
	job->crypt(job);
	job->finish(job);
}

int veil_pqueue_init(struct veil_pqueue *q, bool sparse_inline)
{
	q->sparse_inline = sparse_inline;
	q->inline_jiffy = jiffies - 1;
	atomic_set(&q->inflight, 0);
	atomic64_set(&q->parallel, 0);
	atomic64_set(&q->inline_jobs, 0);
	atomic64_set(&q->sync, 0);
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	spin_lock_init(&q->lockdep_lock);
#endif
	q->shell = padata_alloc_shell(veil_padata);
	return q->shell ? 0 : -ENOMEM;
}

/* Waits until every job handed to padata has finished; may sleep. */
void veil_pqueue_drain(struct veil_pqueue *q)
{
	might_sleep();
	wait_var_event(&q->inflight, !atomic_read(&q->inflight));
}

void veil_pqueue_free(struct veil_pqueue *q)
{
	if (!q->shell)
		return;
	veil_pqueue_drain(q);
	padata_free_shell(q->shell);
	q->shell = NULL;
}

bool veil_pqueue_saturated(void)
{
	return READ_ONCE(veil_parallel_enabled) &&
	       atomic_read(&veil_padata_busy) >= veil_padata_works;
}

int veil_parallel_init(void)
{
	veil_padata_works = max_t(int, num_possible_cpus(), 1);
	veil_padata = padata_alloc(KBUILD_MODNAME);
	return veil_padata ? 0 : -ENOMEM;
}

void veil_parallel_exit(void)
{
	padata_free(veil_padata);
	veil_padata = NULL;
}
