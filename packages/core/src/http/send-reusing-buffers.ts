/** Writes a body that reads into buffers straight to the socket, reusing a few buffers for the whole response. */
import type { ServerResponse } from 'node:http'
import type { ReadsIntoReadable } from '../streams/reads-into.js'

/** Buffers one response may have in flight: enough to keep the socket busy while the next read runs. */
export const SEND_BUFFERS = 4
export const SEND_BUFFER_BYTES = 64 * 1024

export interface ReusingSender {
  /** Starts writing after the head; settles when the body is sent, or fails with what cut it off. */
  run(): Promise<void>
}

/**
 * Reads the first chunk before anything is written, so a body that fails at once is answered with its own
 * error status; `run` then sends it and the rest. A buffer goes back to the free list only once the socket's
 * write callback says the kernel has it, which is what bounds memory to SEND_BUFFERS per response.
 */
export async function startReusingSender(body: ReadsIntoReadable, outgoing: ServerResponse): Promise<ReusingSender> {
  // From the start: a client that leaves while the first chunk is awaited (a cold miss) must stop the body
  // then, not after the whole file or fill has been read into a dead socket.
  const gone = () => body.destroy()
  outgoing.once('close', gone)
  const first = Buffer.allocUnsafe(SEND_BUFFER_BYTES)
  let firstLength: number
  try {
    firstLength = await body.readInto(first)
  } catch (err) {
    outgoing.off('close', gone)
    body.destroy()
    // The read failed because the client left and the body was closed under it: nobody to tell.
    if (outgoing.destroyed || outgoing.closed) return { run: async () => {} }
    throw err
  }
  outgoing.off('close', gone)
  return { run: () => sendAll(body, outgoing, first, firstLength) }
}

async function sendAll(body: ReadsIntoReadable, outgoing: ServerResponse, first: Buffer, firstLength: number): Promise<void> {
  // The free list is the backpressure: a buffer returns only when its write is done, so at most
  // SEND_BUFFERS are queued on a slow socket and write()'s own signal is not needed.
  const free: Buffer[] = []
  let allocated = 1
  let closed = false
  let wake: (() => void) | undefined
  const signal = () => {
    const resume = wake
    wake = undefined
    resume?.()
  }
  const onClose = () => {
    closed = true
    body.destroy()
    signal()
  }
  if (outgoing.destroyed || outgoing.closed) onClose()
  else outgoing.once('close', onClose)
  const write = (buffer: Buffer, length: number) => {
    outgoing.write(length === buffer.length ? buffer : buffer.subarray(0, length), (err) => {
      // A write refused because the response is gone: stop, rather than read on into nothing.
      if (err) onClose()
      free.push(buffer)
      signal()
    })
  }
  try {
    let length = firstLength
    if (length > 0 && !closed) write(first, length)
    while (length > 0 && !closed) {
      if (free.length === 0 && allocated < SEND_BUFFERS) {
        free.push(Buffer.allocUnsafe(SEND_BUFFER_BYTES))
        allocated++
      }
      if (free.length === 0) {
        await new Promise<void>((resolve) => {
          wake = resolve
        })
        continue
      }
      const buffer = free.pop()!
      try {
        length = await body.readInto(buffer)
      } catch (err) {
        // A read cut short because the client left (its handle closed under it) is the client's doing.
        if (closed) return
        throw err
      }
      if (length > 0 && !closed) write(buffer, length)
    }
    if (!closed) outgoing.end()
  } finally {
    outgoing.off('close', onClose)
    body.destroy()
  }
}
