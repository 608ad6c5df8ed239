/** Reads a small request body (a JSON document, a login, a yank form) into memory, refusing it as soon as it passes the size limit; archives go through upload-body/ instead. */
import { LarderError } from '../errors/index.js'

export async function readLimitedBody(request: Request, maxBytes: number, label: string): Promise<Buffer> {
  const declared = request.headers.get('content-length')
  if (declared && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    throw new LarderError('E_TOO_LARGE', `${label} is ${declared} bytes, over the limit of ${maxBytes}`, {
      hint: 'raise LARDER_MAX_UPLOAD_MB if this upload is legitimate',
    })
  }
  if (!request.body) return Buffer.alloc(0)
  const chunks: Buffer[] = []
  let total = 0
  const reader = request.body.getReader()
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>
    try {
      next = await reader.read()
    } catch (error) {
      // The client went away (or sent a broken body) before the end: its request, not Larder, failed.
      throw new LarderError('E_BAD_REQUEST', `${label} was cut short after ${total} bytes: ${(error as Error)?.message ?? error}`, {
        cause: error,
        hint: 'send the request again',
      })
    }
    const { done, value } = next
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel().catch(() => {})
      throw new LarderError('E_TOO_LARGE', `${label} is over the limit of ${maxBytes} bytes`, {
        hint: 'raise LARDER_MAX_UPLOAD_MB if this upload is legitimate',
      })
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength))
  }
  return Buffer.concat(chunks, total)
}
