/** Spool folders and request bodies for the upload reader tests: whole, chunked, cut off, or failing. */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export async function makeSpoolDir(): Promise<{ dir: string; leftovers: () => Promise<string[]>; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'larder-upload-test-'))
  return { dir, leftovers: () => readdir(dir), cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/** A body that arrives in `parts`, then ends (or fails with `failWith`, as a client that disconnects does). */
export function bodyOf(parts: (string | Buffer)[], failWith?: Error): ReadableStream<Uint8Array> {
  let at = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at < parts.length) {
        const part = parts[at++]!
        controller.enqueue(typeof part === 'string' ? new TextEncoder().encode(part) : new Uint8Array(part))
      } else if (failWith) controller.error(failWith)
      else controller.close()
    },
  })
}

export function requestOf(body: ReadableStream<Uint8Array> | null, headers: Record<string, string> = {}): Request {
  return new Request('http://larder.test/upload', { method: 'POST', headers, body, duplex: 'half' } as RequestInit)
}

export const BOUNDARY = 'larderTestBoundary'
export const FORM_TYPE = `multipart/form-data; boundary=${BOUNDARY}`

export function fieldPart(name: string, value: string): string {
  return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
}

export function filePart(name: string, filename: string, bytes: Buffer): Buffer {
  const head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`
  return Buffer.concat([Buffer.from(head), bytes, Buffer.from('\r\n')])
}

export const FORM_END = `--${BOUNDARY}--\r\n`

/** Splits a buffer into chunks, so that the reader sees a body arrive piece by piece. */
export function chunked(bytes: Buffer, size = 16 * 1024): Buffer[] {
  const out: Buffer[] = []
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size))
  return out
}
