import { createHmac, timingSafeEqual } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createLogger } from '../log/index.js'
import { createPublishEvents, type PublishEvents } from './publish-events.js'
import type { PublishEvent } from './publish-event.js'

const SECRET = 'a-webhook-secret-for-tests'
const logger = createLogger({ level: 'silent' })

interface Receiver {
  url: string
  taken: PublishEvent[]
  /** Resolves once `count` events have been taken. */
  received(count: number): Promise<void>
  stop(): Promise<void>
}

/** A real receiver that checks every signature; `answer` picks the status of each request (200 by default). */
async function startReceiver(answer: (n: number, event: PublishEvent) => number = () => 200, port = 0, closeEach = false): Promise<Receiver> {
  const taken: PublishEvent[] = []
  const waiting: Array<{ count: number; resolve: () => void }> = []
  let requests = 0
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`)
      const given = Buffer.from(String(req.headers['x-larder-signature']))
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(401).end()
        return
      }
      const event = JSON.parse(body.toString('utf8')) as PublishEvent
      const status = answer(requests++, event)
      // Dedupe by id, as the docs tell receivers to.
      if (status < 300 && !taken.some((e) => e.id === event.id)) taken.push(event)
      res.writeHead(status, closeEach ? { connection: 'close' } : {}).end()
      for (const w of waiting.filter((w) => taken.length >= w.count)) w.resolve()
    })
  })
  server.listen(port, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/larder`,
    taken,
    received: (count) => (taken.length >= count ? Promise.resolve() : new Promise((resolve) => waiting.push({ count, resolve }))),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => server.closeAllConnections()),
  }
}

let dir: string
const opened: PublishEvents[] = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'larder-webhooks-'))
})
afterEach(async () => {
  for (const events of opened.splice(0)) await events.close()
  await rm(dir, { recursive: true, force: true })
})

async function openEvents(webhooks: string[]): Promise<PublishEvents> {
  const events = createPublishEvents({ dir, webhooks, secret: SECRET, logger, firstRetryMs: 10, maxRetryMs: 40, env: {} })
  opened.push(events)
  await events.startDelivery()
  return events
}

const publish = (events: PublishEvents, version: string) =>
  events.record({
    type: 'publish',
    ecosystem: 'npm',
    name: 'pkg',
    version,
    by: 'ci',
    files: [{ name: `pkg-${version}.tgz`, size: 3, sha256: 'ab'.repeat(32) }],
  })

describe('webhook delivery', () => {
  it('posts every event once, signed, in order, to every receiver (one of them closing each connection)', async () => {
    const a = await startReceiver()
    const b = await startReceiver(undefined, 0, true)
    const events = await openEvents([a.url, b.url])
    for (const version of ['1.0.0', '1.0.1', '1.0.2']) await publish(events, version)
    await Promise.all([a.received(3), b.received(3)])
    for (const receiver of [a, b]) expect(receiver.taken.map((e) => e.version)).toEqual(['1.0.0', '1.0.1', '1.0.2'])
    expect(a.taken[0]).toMatchObject({ type: 'publish', ecosystem: 'npm', name: 'pkg', by: 'ci', files: [{ name: 'pkg-1.0.0.tgz', size: 3 }] })
    await Promise.all([a.stop(), b.stop()])
  })

  it('retries a receiver that fails, keeping the order; skips an event the receiver refuses with a 4xx', async () => {
    const receiver = await startReceiver((n, event) => (n < 3 ? 503 : event.version === '2.0.0' ? 422 : 200))
    const events = await openEvents([receiver.url])
    for (const version of ['1.0.0', '2.0.0', '3.0.0']) await publish(events, version)
    await receiver.received(2)
    expect(receiver.taken.map((e) => e.version)).toEqual(['1.0.0', '3.0.0'])
    await receiver.stop()
  })

  it('keeps events while the receiver is down and delivers each exactly once after a restart', async () => {
    const down = await startReceiver()
    const port = Number(new URL(down.url).port)
    await down.stop()
    const first = await openEvents([down.url])
    await publish(first, '1.0.0')
    await publish(first, '1.0.1')
    await first.close()

    const up = await startReceiver(undefined, port)
    await openEvents([up.url])
    await up.received(2)
    expect(up.taken.map((e) => e.version)).toEqual(['1.0.0', '1.0.1'])

    // Another restart: the cursor says both were taken, so nothing is sent again.
    await opened.splice(0)[0]!.close()
    const again = await openEvents([up.url])
    await publish(again, '1.0.2')
    await up.received(3)
    expect(up.taken.map((e) => e.version)).toEqual(['1.0.0', '1.0.1', '1.0.2'])
    await up.stop()
  })

  it('lists events after an id for pollers, and refuses an id of another outbox', async () => {
    const events = createPublishEvents({ dir, webhooks: [], logger })
    opened.push(events)
    const published = [await publish(events, '1.0.0'), await publish(events, '1.0.1'), await publish(events, '1.0.2')]
    const all = await events.list(undefined, 10)
    expect(all.events.map((e) => e.version)).toEqual(['1.0.0', '1.0.1', '1.0.2'])
    const page = await events.list(published[0]!.id, 1)
    expect(page.events.map((e) => e.version)).toEqual(['1.0.1'])
    expect((await events.list(page.next, 10)).events.map((e) => e.version)).toEqual(['1.0.2'])
    expect((await events.list(published[2]!.id, 10)).events).toEqual([])
    await expect(events.list('0badbeef-1', 10)).rejects.toThrow(/another outbox/)
    await expect(events.list('../etc', 10)).rejects.toThrow(/must be an event id/)
  })
})
