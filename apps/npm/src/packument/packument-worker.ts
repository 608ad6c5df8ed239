/** Worker thread: reads a spooled upstream packument and returns its stored form, so a 30 MB document never blocks the server's event loop. */
import { readFileSync } from 'node:fs'
import { parentPort } from 'node:worker_threads'
import { processUpstreamPackument } from './upstream-packument.js'

export interface PackumentTask {
  id: number
  path: string
  name: string
  documentUrl: string | undefined
}

export type PackumentTaskResult =
  | { id: number; processed: ReturnType<typeof processUpstreamPackument> }
  | { id: number; error: { code?: string; message: string } }

parentPort?.on('message', (task: PackumentTask) => {
  try {
    const processed = processUpstreamPackument(readFileSync(task.path), task.name, task.documentUrl)
    // Buffer.from(string) may share a pooled ArrayBuffer: only whole, unshared ones can be moved.
    const movable = [processed.body, processed.abbreviated, processed.tarballs]
      .filter((b) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength)
      .map((b) => b.buffer as ArrayBuffer)
    parentPort!.postMessage({ id: task.id, processed } satisfies PackumentTaskResult, [...new Set(movable)])
  } catch (err) {
    const { code, message } = err as { code?: unknown; message?: unknown }
    const error = { code: typeof code === 'string' ? code : undefined, message: String(message ?? err) }
    parentPort!.postMessage({ id: task.id, error } satisfies PackumentTaskResult)
  }
})
