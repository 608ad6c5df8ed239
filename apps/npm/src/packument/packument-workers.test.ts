import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isLarderError } from '@larder/core'
import { IN_PLACE_MAX_BYTES, PackumentWorkers } from './packument-workers.js'
import { processUpstreamPackument } from './upstream-packument.js'

/** A real-shaped packument of `count` versions, a few MB: big enough to go to a worker. */
function packument(name: string, count: number): Buffer {
  const versions: Record<string, unknown> = {}
  for (let i = 0; i < count; i++) {
    const version = `1.0.${i}`
    versions[version] = {
      name,
      version,
      description: `version ${i} of ${name}`,
      dependencies: { 'left-pad': '^1.0.0' },
      dist: { tarball: `https://registry.example/${name}/-/${name}-${version}.tgz`, integrity: `sha512-${'A'.repeat(86)}==`, shasum: 'a'.repeat(40) },
    }
  }
  return Buffer.from(JSON.stringify({ name, 'dist-tags': { latest: `1.0.${count - 1}` }, versions }))
}

describe('PackumentWorkers', () => {
  let dir: string
  const workers = new PackumentWorkers(2)
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'larder-packument-workers-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  async function spool(name: string, bytes: Buffer): Promise<string> {
    const path = join(dir, `${name}.json`)
    await writeFile(path, bytes)
    return path
  }

  it('gives a big packument the same stored form as processing it in place, while the event loop keeps running', async () => {
    const bytes = packument('big-one', 8000)
    expect(bytes.length).toBeGreaterThan(IN_PLACE_MAX_BYTES * 4)
    const path = await spool('big-one', bytes)
    let ticks = 0
    const timer = setInterval(() => ticks++, 1)
    let readInMainThread = false
    const processed = await workers.process(path, bytes.length, 'big-one', async () => {
      readInMainThread = true
      return bytes
    })
    clearInterval(timer)
    expect(readInMainThread).toBe(false)
    // Timers ran while the document was rewritten: the work was not on this thread.
    expect(ticks).toBeGreaterThan(0)
    const inPlace = processUpstreamPackument(bytes, 'big-one')
    expect(processed.fullOffsets).toEqual(inPlace.fullOffsets)
    expect(processed.abbreviatedOffsets).toEqual(inPlace.abbreviatedOffsets)
    expect(Buffer.isBuffer(processed.body)).toBe(true)
    expect(JSON.parse(processed.tarballs.toString())).toEqual(JSON.parse(inPlace.tarballs.toString()))
    // The markers are random per rewrite: compare the documents around them.
    expect(processed.body.length).toBe(inPlace.body.length)
    expect(processed.abbreviated.length).toBe(inPlace.abbreviated.length)
  })

  it('processes several at once and in order, and small ones in place', async () => {
    const names = ['a-pkg', 'b-pkg', 'c-pkg', 'd-pkg']
    const results = await Promise.all(
      names.map(async (name) => {
        const bytes = packument(name, 3000)
        return workers.process(await spool(name, bytes), bytes.length, name, async () => bytes)
      }),
    )
    for (const [i, result] of results.entries()) {
      expect(Object.keys(JSON.parse(result.tarballs.toString()))[0]).toBe(`${names[i]}-1.0.0.tgz`)
    }
    const small = packument('small', 3)
    let read = false
    await workers.process('/nonexistent', small.length, 'small', async () => {
      read = true
      return small
    })
    expect(read).toBe(true)
  })

  it('reports garbage and a document for another package as upstream garbage, and keeps working after', async () => {
    const garbage = Buffer.concat([Buffer.from('{"versions": {'), Buffer.alloc(IN_PLACE_MAX_BYTES * 2, 0x20)])
    const failure = await workers.process(await spool('garbage', garbage), garbage.length, 'garbage', async () => garbage).catch((e: unknown) => e)
    expect(isLarderError(failure, 'E_UPSTREAM_GARBAGE')).toBe(true)
    const other = packument('other-name', 3000)
    const wrong = await workers.process(await spool('asked', other), other.length, 'asked', async () => other).catch((e: unknown) => e)
    expect(isLarderError(wrong, 'E_UPSTREAM_GARBAGE') && (wrong as Error).message).toMatch(/describes other-name/)
    const good = packument('after', 3000)
    expect((await workers.process(await spool('after', good), good.length, 'after', async () => good)).body.length).toBeGreaterThan(0)
  })
})
