/** Plain HTTP reads from Larder for the fault suite: what came back, classified, and a slow reader that pauses on purpose. */
import { createHash } from 'node:crypto'
import { get, type IncomingMessage } from 'node:http'

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

export type FetchOutcome =
  /** Headers and a body that ended cleanly. */
  | { kind: 'complete'; status: number; headers: Headers; body: Buffer; sha256: string }
  /** Headers arrived, then the body read failed (a reset or a cut-off body). */
  | { kind: 'cut-off'; status: number; headers: Headers; error: string }
  /** No response at all. */
  | { kind: 'no-response'; error: string }

export const DEFAULT_FETCH_TIMEOUT_MS = 30_000

/** GET `url`; never throws, so a test can say which outcomes are acceptable. */
export async function fetchOutcome(url: string, timeoutMs = DEFAULT_FETCH_TIMEOUT_MS): Promise<FetchOutcome> {
  let response: Response
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  } catch (error) {
    return { kind: 'no-response', error: describeError(error) }
  }
  try {
    const body = Buffer.from(await response.arrayBuffer())
    return { kind: 'complete', status: response.status, headers: response.headers, body, sha256: sha256Hex(body) }
  } catch (error) {
    return { kind: 'cut-off', status: response.status, headers: response.headers, error: describeError(error) }
  }
}

/** The JSON error body Larder answers with, if `outcome` is one. */
export function errorBody(outcome: FetchOutcome): { error: string; code: string } | undefined {
  if (outcome.kind !== 'complete' || outcome.status < 400) return undefined
  try {
    const parsed = JSON.parse(outcome.body.toString('utf8')) as { error?: unknown; code?: unknown; errors?: unknown }
    if (typeof parsed.error === 'string' && typeof parsed.code === 'string') return { error: parsed.error, code: parsed.code }
    // The OCI mirror answers in the distribution spec's shape, Larder's code in the detail.
    const [first] = Array.isArray(parsed.errors) ? (parsed.errors as Array<{ message?: unknown; detail?: { larder?: unknown } }>) : []
    return typeof first?.message === 'string' && typeof first.detail?.larder === 'string' ? { error: first.message, code: first.detail.larder } : undefined
  } catch {
    return undefined
  }
}

/** One line for assertion messages. */
export function describeOutcome(outcome: FetchOutcome): string {
  if (outcome.kind === 'no-response') return `no response: ${outcome.error}`
  if (outcome.kind === 'cut-off') return `${outcome.status}, then the body failed: ${outcome.error}`
  const text = outcome.status >= 400 ? ` ${outcome.body.toString('utf8').slice(0, 300)}` : ''
  return `${outcome.status} with ${outcome.body.length} bytes (sha256 ${outcome.sha256.slice(0, 12)}, x-larder-cache ${outcome.headers.get('x-larder-cache')})${text}`
}

function describeError(error: unknown): string {
  const err = error as { message?: string; cause?: { code?: string; message?: string } }
  return [err.message, err.cause?.code ?? err.cause?.message].filter(Boolean).join(': ')
}

export interface PausedRead {
  status: number
  size: number
  sha256: string
  /** The body itself, for answers small enough to compare whole. */
  body(): Buffer
}

/**
 * GET `url`, pause the body right after the headers, wait for `resumeWhen` (e.g. the upstream has
 * closed), then read the rest. Resolves with the status and the sha256 and length of what arrived.
 */
export function readWhilePaused(url: string, resumeWhen: () => Promise<unknown>): Promise<PausedRead> {
  return new Promise((resolve, reject) => {
    const request = get(url, (res: IncomingMessage) => {
      res.pause()
      const hash = createHash('sha256')
      const chunks: Buffer[] = []
      let size = 0
      resumeWhen().then(
        () => {
          res.on('data', (chunk: Buffer) => {
            hash.update(chunk)
            chunks.push(chunk)
            size += chunk.length
          })
          res.on('end', () => {
            const read = { status: res.statusCode ?? 0, size, sha256: hash.digest('hex') }
            // Not enumerable, so assertions compare status, size and digest only.
            resolve(Object.defineProperty(read, 'body', { value: () => Buffer.concat(chunks) }) as PausedRead)
          })
          res.on('error', reject)
          res.resume()
        },
        (error: unknown) => {
          request.destroy()
          reject(error)
        },
      )
    })
    request.on('error', reject)
  })
}
