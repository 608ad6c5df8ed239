/** A small pool of worker threads that process big upstream packuments off the event loop; small ones are done in place. */
import { dirname, join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { ERROR_STATUS, LarderError, type ErrorCode } from '@larder/core'
import type { PackumentTask, PackumentTaskResult } from './packument-worker.js'
import { processUpstreamPackument, type ProcessedPackument } from './upstream-packument.js'

/** Below this a packument is processed in place: a worker round trip costs more than it saves. */
export const IN_PLACE_MAX_BYTES = 256 * 1024
export const DEFAULT_PACKUMENT_WORKERS = 2

/**
 * The built worker script. Tests run the TypeScript sources, whose sibling is not runnable as a
 * worker; they use the build (npm test builds first).
 */
function workerScript(): string {
  const here = fileURLToPath(import.meta.url)
  const built = here.endsWith('.ts') ? here.replace(`${sep}src${sep}`, `${sep}dist${sep}`) : here
  return join(dirname(built), 'packument-worker.js')
}

interface Pending {
  resolve: (processed: ProcessedPackument) => void
  reject: (error: unknown) => void
}

export class PackumentWorkers {
  private readonly idle: Worker[] = []
  private readonly busy = new Map<Worker, Pending>()
  private readonly queue: Array<{ task: PackumentTask } & Pending> = []
  private nextId = 0

  constructor(private readonly size = DEFAULT_PACKUMENT_WORKERS) {}

  /**
   * Processes the upstream body of `size` bytes for package `name`: a large one from its spool file at `path`, in a worker.
   * `documentUrl` is where it came from, for tarball URLs relative to it.
   */
  async process(path: string | undefined, size: number, name: string, readBytes: () => Promise<Buffer>, documentUrl?: string): Promise<ProcessedPackument> {
    if (size <= IN_PLACE_MAX_BYTES || path === undefined) return processUpstreamPackument(await readBytes(), name, documentUrl)
    return new Promise((resolve, reject) => {
      this.queue.push({ task: { id: this.nextId++, path, name, documentUrl }, resolve, reject })
      this.dispatch()
    })
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.busy.size < this.size ? this.spawn() : undefined)
      if (!worker) return
      const job = this.queue.shift()!
      this.busy.set(worker, job)
      worker.ref()
      worker.postMessage(job.task)
    }
  }

  private spawn(): Worker {
    const worker = new Worker(workerScript())
    worker.on('message', (result: PackumentTaskResult) => {
      const job = this.busy.get(worker)
      this.busy.delete(worker)
      // An idle worker must not keep the process alive at shutdown.
      worker.unref()
      this.idle.push(worker)
      if ('error' in result) job?.reject(workerError(result.error))
      else job?.resolve(asBuffers(result.processed))
      this.dispatch()
    })
    const fail = (err: unknown) => {
      const job = this.busy.get(worker)
      this.busy.delete(worker)
      const index = this.idle.indexOf(worker)
      if (index >= 0) this.idle.splice(index, 1)
      job?.reject(new LarderError('E_INTERNAL', `the packument worker failed: ${(err as Error)?.message ?? err}`, { cause: err }))
      this.dispatch()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => {
      if (this.busy.has(worker) || this.idle.includes(worker)) fail(new Error(`exited with code ${code}`))
    })
    return worker
  }
}

function workerError(error: { code?: string; message: string }): LarderError {
  const code = error.code && Object.hasOwn(ERROR_STATUS, error.code) ? (error.code as ErrorCode) : 'E_UPSTREAM_GARBAGE'
  return new LarderError(code, error.message)
}

/** Buffers arrive as plain Uint8Arrays: wrap them, without a copy. */
function asBuffers(processed: ProcessedPackument): ProcessedPackument {
  const wrap = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return { ...processed, body: wrap(processed.body), abbreviated: wrap(processed.abbreviated), tarballs: wrap(processed.tarballs) }
}
