/** The load generator: N keep-alive workers sharing a fixed request budget (and a time cap), counting every byte. */
import { Agent, request } from 'undici'

export const DEFAULT_CONCURRENCY = 16
export const DEFAULT_MAX_DURATION_MS = 20_000
export const BYTES_PER_MB = 1024 * 1024

/**
 * GETs `url` `requests` times from `concurrency` workers and fails on any non-200 or short body,
 * so a fast error page can never pass for throughput.
 */
export async function runLoad(options) {
  const { url, headers = {}, requests, expectedBytes, concurrency = DEFAULT_CONCURRENCY, maxDurationMs = DEFAULT_MAX_DURATION_MS } = options
  if (!Number.isInteger(requests) || requests < 1) throw new TypeError('requests must be a positive integer')
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError('concurrency must be a positive integer')
  if (!Number.isInteger(expectedBytes) || expectedBytes < 0) throw new TypeError('expectedBytes must be a byte count')

  const dispatcher = new Agent({ connections: concurrency, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 })
  let started = 0
  let completed = 0
  let bytes = 0
  const begin = performance.now()
  const deadline = begin + maxDurationMs
  const worker = async () => {
    while (started < requests && performance.now() < deadline) {
      started++
      const { statusCode, body } = await request(url, { headers, dispatcher })
      const received = await countBytes(body)
      if (statusCode !== 200) throw new Error(`GET ${url}: status ${statusCode}`)
      if (received !== expectedBytes) throw new Error(`GET ${url}: ${received} bytes, expected ${expectedBytes}`)
      completed++
      bytes += received
    }
  }
  try {
    await Promise.all(Array.from({ length: concurrency }, worker))
  } finally {
    await dispatcher.close()
  }
  const seconds = (performance.now() - begin) / 1000
  return {
    requests: completed,
    seconds,
    requestsPerSecond: completed / seconds,
    megabytesPerSecond: bytes / BYTES_PER_MB / seconds,
  }
}

/** Consumes a body with 'data' events: cheaper than async iteration, so the client is less of a bottleneck. */
export function countBytes(body, onChunk) {
  return new Promise((resolve, reject) => {
    let received = 0
    body.on('data', (chunk) => {
      received += chunk.length
      onChunk?.(chunk)
    })
    body.once('end', () => resolve(received))
    body.once('error', reject)
  })
}

/** Fetches `url` once and returns status, headers and the whole body. */
export async function fetchOnce(url, headers = {}) {
  // Its own agent, closed at once: pooled idle sockets would keep the script alive after the last benchmark.
  const dispatcher = new Agent()
  try {
    const { statusCode, headers: responseHeaders, body } = await request(url, { headers, dispatcher })
    const chunks = []
    for await (const chunk of body) chunks.push(chunk)
    return { status: statusCode, headers: responseHeaders, body: Buffer.concat(chunks) }
  } finally {
    await dispatcher.close()
  }
}
