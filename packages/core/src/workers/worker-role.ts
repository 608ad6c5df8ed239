/** Which process this is under LARDER_WORKERS: the primary, a worker (and whether it runs the store's chores), or a lone server. */
import cluster from 'node:cluster'

/** Set by the primary on each worker it forks: 1, 2, ... (kept when a worker is restarted). */
export const WORKER_INDEX_VARIABLE = 'LARDER_WORKER_INDEX'

export function workerIndex(): number | undefined {
  if (!cluster.isWorker) return undefined
  const index = Number(process.env[WORKER_INDEX_VARIABLE])
  return Number.isInteger(index) && index > 0 ? index : undefined
}

/** gc, eviction and the store gauges run in one process per data folder: a lone server, or worker 1. */
export function runsChores(): boolean {
  const index = workerIndex()
  return index === undefined || index === 1
}
