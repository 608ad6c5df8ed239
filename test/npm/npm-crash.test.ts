/** Larder killed (SIGKILL) in the middle of a tarball download: the next process fetches it again and serves the exact bytes. */
import { createHash, randomBytes } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, packNpmPackage, startNpmRegistryFixture, waitFor, type NpmRegistryFixture, type PackedPackage, type TempDir } from '@larder/testkit'
import { startLarder, type LarderServer } from '../support/larder-process.js'

/** Random data does not compress, so the tarball stays a few MB and takes seconds under the 'slow' fault. */
const BIG_FILE_BYTES = 3 * 1024 * 1024
/** Bytes the client must have received before Larder is killed: the download is truly under way. */
const KILL_AFTER_BYTES = 256 * 1024

let big: PackedPackage
let fixture: NpmRegistryFixture
let dataDir: TempDir
const started: LarderServer[] = []

beforeAll(async () => {
  big = await packNpmPackage({
    name: 'e2e-big',
    version: '1.0.0',
    files: { 'index.js': 'module.exports = "big"\n', 'blob.txt': randomBytes(BIG_FILE_BYTES).toString('base64') },
  })
  fixture = await startNpmRegistryFixture({ packages: [big] })
  dataDir = await makeTempDir('larder-e2e-crash-data-')
})

afterAll(async () => {
  for (const larder of started) await larder.stop()
  await fixture?.stop()
  await dataDir?.cleanup()
})

async function start(): Promise<LarderServer> {
  const larder = await startLarder({ dataDir: dataDir.path, env: { LARDER_NPM_UPSTREAM: fixture.url } })
  started.push(larder)
  return larder
}

const sha512 = (bytes: Uint8Array) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`

describe('a crash in the middle of a download', () => {
  it('leaves nothing that is served: after a restart the tarball is fetched again and its bytes match the integrity', async () => {
    expect(big.tarball.length).toBeGreaterThan(2 * 1024 * 1024)
    const upstreamPath = `/${big.name}/-/${big.filename}`
    const first = await start()
    await fixture.setFault('slow', (path) => path === upstreamPath, { bytesPerTick: 32 * 1024, tickMs: 50 })

    const response = await fetch(`${first.npmRegistry}${big.name}/-/${big.filename}`)
    expect(response.status).toBe(200)
    const reader = response.body!.getReader()
    let received = 0
    const reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return 'complete'
        received += value.byteLength
      }
    })().catch(() => 'cut off')
    await waitFor(() => received >= KILL_AFTER_BYTES, { timeoutMs: 20_000, description: `${KILL_AFTER_BYTES} bytes through Larder` })
    expect(await first.kill()).toEqual({ code: null, signal: 'SIGKILL' })
    expect(await reading).toBe('cut off')
    expect(received).toBeLessThan(big.tarball.length)
    expect(fixture.hitCount(upstreamPath)).toBe(1)

    // The dead process's spool folder still holds the partial download...
    const spoolRoot = join(dataDir.path, 'store', 'tmp')
    const leftBehind = (await readdir(spoolRoot)).filter((name) => !name.endsWith('.owner'))
    expect(leftBehind).toHaveLength(1)
    expect((await readdir(join(spoolRoot, leftBehind[0]!))).some((name) => name.startsWith('fill-'))).toBe(true)

    await fixture.setFault(null)
    const second = await start()
    // ...and the next start removes it, young as it is: no owner of it is alive.
    const afterRestart = await readdir(spoolRoot)
    expect(afterRestart).not.toContain(leftBehind[0])
    expect(afterRestart.filter((name) => !name.endsWith('.owner'))).toHaveLength(1)
    const again = await fetch(`${second.npmRegistry}${big.name}/-/${big.filename}`)
    expect(again.status).toBe(200)
    const bytes = Buffer.from(await again.arrayBuffer())
    expect(again.headers.get('x-larder-cache')).toBe('MISS')
    expect(bytes.length).toBe(big.tarball.length)
    expect(sha512(bytes)).toBe(big.integrity)
    expect(fixture.hitCount(upstreamPath)).toBe(2)

    // Stored this time: served from the store with the same bytes, upstream not asked.
    const stored = await fetch(`${second.npmRegistry}${big.name}/-/${big.filename}`)
    expect(stored.headers.get('x-larder-cache')).toBe('HIT')
    expect(sha512(Buffer.from(await stored.arrayBuffer()))).toBe(big.integrity)
    expect(fixture.hitCount(upstreamPath)).toBe(2)
  })
})
