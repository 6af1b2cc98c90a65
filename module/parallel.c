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
#include <linux/module.h>
#include <linux/wait_bit.h>

#include "parallel.h"

static struct padata_instance *veil_padata;

bool veil_parallel_enabled = true;
module_param_named(parallel, veil_parallel_enabled, bool, 0644);
MODULE_PARM_DESC(parallel, "spread the data path's crypto over CPUs with padata (default 1)");

static void veil_job_parallel(struct padata_priv *padata)
{
	struct veil_job *job = container_of(padata, struct veil_job, padata);

	job->crypt(job);
	padata_do_serial(padata);
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

void veil_pqueue_submit(struct veil_pqueue *q, struct veil_job *job,
			unsigned int cpu, bool may_inline)
{
	int cb_cpu;

	job->queue = q;
	if (!READ_ONCE(veil_parallel_enabled) ||
	    (may_inline && !atomic_read(&q->inflight)))
		goto run_inline;

	memset(&job->padata, 0, sizeof(job->padata));
	job->padata.parallel = veil_job_parallel;
	job->padata.serial = veil_job_serial;
	cb_cpu = cpu % nr_cpu_ids;
	atomic_inc(&q->inflight);
	if (likely(!padata_do_parallel(q->shell, &job->padata, &cb_cpu))) {
		atomic64_inc(&q->parallel);
		return;
	}
	if (atomic_dec_and_test(&q->inflight))
		wake_up_var(&q->inflight);

run_inline:
	atomic64_inc(&q->inline_jobs);
	job->crypt(job);
	job->finish(job);
}

int veil_pqueue_init(struct veil_pqueue *q)
{
	atomic_set(&q->inflight, 0);
	atomic64_set(&q->parallel, 0);
	atomic64_set(&q->inline_jobs, 0);
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

int veil_parallel_init(void)
{
	veil_padata = padata_alloc(KBUILD_MODNAME);
	return veil_padata ? 0 : -ENOMEM;
}

void veil_parallel_exit(void)
{
	padata_free(veil_padata);
	veil_padata = NULL;
}
