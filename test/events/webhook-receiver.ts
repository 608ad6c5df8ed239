/** A real webhook receiver for end-to-end tests: checks each POST's X-Larder-Signature, keeps the events deduped by id, and can go down and come back on its port. */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export const DEFAULT_RECEIVER_WAIT_MS = 30_000

export interface ReceivedFile {
  name: string
  size: number
  sha256: string
}

/** The body Larder posts, as parsed. */
export interface ReceivedEvent {
  id: string
  type: string
  ecosystem: string
  name: string
  version: string | null
  files: ReceivedFile[]
  by: string
  at: string
  tag?: string
}

/** One request as it arrived, whatever the answer was. */
export interface ReceivedPost {
  id: string | undefined
  status: number
  headers: Record<string, string | string[] | undefined>
  /** The connection was answered with `connection: close`. */
  closed: boolean
}

export interface WebhookReceiver {
  /** http://127.0.0.1:PORT/hooks/larder: what LARDER_WEBHOOKS names; the same across stop() and start(). */
  readonly url: string
  readonly port: number
  /** Each event once (the first delivery of its id), in arrival order. */
  events(): ReceivedEvent[]
  /** Every request, duplicates and refused ones included. */
  posts(): ReceivedPost[]
  /** How many times an event id was accepted (2xx): more than 1 is a duplicate delivery. */
  deliveries(id: string): number
  /** Requests that were refused for a reason other than the signature (not JSON, headers disagreeing with the body...). */
  problems(): string[]
  /** Resolves once `count` distinct events have arrived; rejects after `timeoutMs` saying what did arrive. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedEvent[]>
  /** Closes the listener and every open connection: a receiver that is down (connections refused). */
  stop(): Promise<void>
  /** Listens again on the same port. */
  start(): Promise<void>
}

export interface WebhookReceiverOptions {
  secret: string
  /** 0 picks a free port on the first start. */
  port?: number
}

const PATH = '/hooks/larder'
const BODY_KEYS = ['at', 'by', 'ecosystem', 'files', 'id', 'name', 'type', 'version']

export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const secretKey = Buffer.from(options.secret)
  const seen = new Map<string, number>()
  const events: ReceivedEvent[] = []
  const posts: ReceivedPost[] = []
  const problems: string[] = []
  const waiters = new Set<() => void>()
  let requests = 0
  let server: Server | undefined
  let port = options.port ?? 0

  const signatureOk = (header: string | string[] | undefined, body: Buffer): boolean => {
    if (typeof header !== 'string') return false
    const expected = Buffer.from(`sha256=${createHmac('sha256', secretKey).update(body).digest('hex')}`)
    const given = Buffer.from(header)
    return given.length === expected.length && timingSafeEqual(given, expected)
  }

  /** The reason a signed body is not a well-formed event delivery, or undefined when it is one. */
  const malformed = (req: IncomingMessage, event: ReceivedEvent): string | undefined => {
    const keys = Object.keys(event).sort()
    const want = event.type === 'dist-tag' ? [...BODY_KEYS, 'tag'].sort() : BODY_KEYS
    if (keys.join(',') !== want.join(',')) return `body keys are ${keys.join(',')}, expected ${want.join(',')}`
    if (!/^[0-9a-f]{8}-\d+$/.test(event.id)) return `id ${event.id} is not <8 hex>-<sequence>`
    if (req.headers['x-larder-delivery'] !== event.id) return `X-Larder-Delivery ${req.headers['x-larder-delivery']} but body id ${event.id}`
    if (req.headers['x-larder-event'] !== event.type) return `X-Larder-Event ${req.headers['x-larder-event']} but body type ${event.type}`
    if (!String(req.headers['content-type']).startsWith('application/json')) return `content-type ${req.headers['content-type']}`
    if (Number.isNaN(Date.parse(event.at))) return `at ${event.at} is not a time`
    return undefined
  }

  const answer = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    // Every third request closes its connection: Larder must open a new one for the next delivery.
    const closed = ++requests % 3 === 0
    const reply = (status: number, id: string | undefined, text: string) => {
      posts.push({ id, status, headers: req.headers, closed })
      res.writeHead(status, { 'content-type': 'text/plain', ...(closed ? { connection: 'close' } : {}) })
      res.end(text)
    }
    if (req.method !== 'POST' || req.url !== PATH) return reply(404, undefined, 'not here')
    if (!signatureOk(req.headers['x-larder-signature'], body)) return reply(401, undefined, 'bad signature')
    let event: ReceivedEvent
    try {
      event = JSON.parse(body.toString('utf8')) as ReceivedEvent
    } catch {
      problems.push(`a signed body that is not JSON: ${body.toString('utf8').slice(0, 200)}`)
      return reply(400, undefined, 'not JSON')
    }
    const wrong = malformed(req, event)
    if (wrong) {
      problems.push(`${event.id}: ${wrong}`)
      return reply(400, event.id, wrong)
    }
    const count = (seen.get(event.id) ?? 0) + 1
    seen.set(event.id, count)
    if (count === 1) events.push(event)
    reply(204, event.id, '')
    for (const wake of waiters) wake()
  }

  const start = async () => {
    if (server) return
    const created = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => answer(req, res, Buffer.concat(chunks)))
    })
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject)
      created.listen(port, '127.0.0.1', () => {
        created.off('error', reject)
        resolve()
      })
    })
    port = (created.address() as AddressInfo).port
    server = created
  }

  await start()
  const url = `http://127.0.0.1:${port}${PATH}`

  return {
    url,
    port,
    events: () => [...events],
    posts: () => [...posts],
    deliveries: (id) => posts.filter((post) => post.id === id && post.status >= 200 && post.status < 300).length,
    problems: () => [...problems],
    waitFor: (count, timeoutMs = DEFAULT_RECEIVER_WAIT_MS) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (events.length < count) return
          cleanup()
          resolve([...events])
        }
        const timer = setTimeout(() => {
          cleanup()
          const got = events.map((e) => `${e.id} ${e.type} ${e.ecosystem} ${e.name}@${e.version}`).join('\n  ')
          reject(
            new Error(
              `the webhook receiver got ${events.length} of ${count} events within ${timeoutMs} ms:\n  ${got || '(none)'}\n` +
                `requests: ${posts.length} (${posts.filter((p) => p.status === 401).length} with a bad signature)\nproblems: ${problems.join('; ') || 'none'}`,
            ),
          )
        }, timeoutMs)
        const cleanup = () => {
          clearTimeout(timer)
          waiters.delete(check)
        }
        waiters.add(check)
        check()
      }),
    stop: async () => {
      const running = server
      server = undefined
      if (!running) return
      const closed = new Promise<void>((resolve) => running.close(() => resolve()))
      running.closeAllConnections()
      await closed
    },
    start,
  }
}
