import { appendFile, mkdtemp, readFile, readdir, rm, utimes } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EventOutbox } from './event-outbox.js'
import type { EventInput } from './publish-event.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'larder-outbox-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const input = (name: string): EventInput => ({ type: 'publish', ecosystem: 'npm', name, version: '1.0.0', by: 'ci' })

describe('EventOutbox', () => {
  it('numbers events in call order, even when appends are not awaited one by one, and reads them back after a reopen', async () => {
    const outbox = await EventOutbox.open({ dir })
    const events = await Promise.all(['a', 'b', 'c'].map((name) => outbox.append(input(name))))
    expect(events.map((e) => e.id)).toEqual([1, 2, 3].map((n) => `${outbox.id}-${n}`))
    expect(events[0]).toMatchObject({ type: 'publish', ecosystem: 'npm', name: 'a', files: [] })
    await outbox.close()

    const reopened = await EventOutbox.open({ dir })
    expect(reopened.id).toBe(outbox.id)
    expect((await reopened.read(1, 10)).map((e) => e.name)).toEqual(['b', 'c'])
    expect((await reopened.append(input('d'))).id).toBe(`${outbox.id}-4`)
    await reopened.close()
  })

  it('cuts a line torn by a crash mid-append, so the next event follows the last whole one', async () => {
    const outbox = await EventOutbox.open({ dir })
    await outbox.append(input('whole'))
    await outbox.close()
    const [segment] = await readdir(join(dir, 'log'))
    await appendFile(join(dir, 'log', segment!), '{"id":"torn-2","type":"pub')

    const reopened = await EventOutbox.open({ dir })
    expect((await reopened.append(input('next'))).id).toBe(`${outbox.id}-2`)
    const lines = (await readFile(join(dir, 'log', segment!), 'utf8')).trim().split('\n')
    expect(lines.map((line) => JSON.parse(line).name)).toEqual(['whole', 'next'])
    await reopened.close()
  })

  it('reads across segments and drops segments past the retention, never the newest', async () => {
    let now = Date.parse('2026-12-01T00:00:00Z')
    const outbox = await EventOutbox.open({ dir, segmentEvents: 2, retentionMs: 60_000, now: () => now })
    for (const name of ['a', 'b', 'c', 'd', 'e']) await outbox.append(input(name))
    expect(await readdir(join(dir, 'log'))).toHaveLength(3)
    expect((await outbox.read(0, 10)).map((e) => e.name)).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect((await outbox.read(1, 2)).map((e) => e.name)).toEqual(['b', 'c'])
    expect((await outbox.read(3, 10)).map((e) => e.name)).toEqual(['d', 'e'])

    // The first two segments were last written long ago; the next segment start prunes them.
    const old = new Date(now - 3_600_000)
    for (const name of (await readdir(join(dir, 'log'))).sort().slice(0, 2)) await utimes(join(dir, 'log', name), old, old)
    now += 1000
    await outbox.append(input('f'))
    await outbox.append(input('g'))
    expect((await readdir(join(dir, 'log'))).length).toBe(2)
    expect((await outbox.read(0, 10)).map((e) => e.name)).toEqual(['e', 'f', 'g'])
    await outbox.close()
  })
})
