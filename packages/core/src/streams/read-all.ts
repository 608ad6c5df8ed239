/** Reads a small stream (a stored document, an upstream answer) into one Buffer, with an optional size limit. */
import type { Readable } from 'node:stream'
import { LarderError } from '../errors/index.js'

export async function readAll(stream: Readable, maxBytes = Number.POSITIVE_INFINITY, label = 'body'): Promise<Buffer> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    total += buffer.length
    if (total > maxBytes) {
      stream.destroy()
      throw new LarderError('E_TOO_LARGE', `${label} is over the limit of ${maxBytes} bytes`)
    }
    chunks.push(buffer)
  }
  return Buffer.concat(chunks, total)
}
