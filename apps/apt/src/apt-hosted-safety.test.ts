/** Uploaded .debs whose data.tar would unpack outside / are refused, and an upload is all or nothing (security issue #11, findings 2 and 5). */
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeCraftedDeb, type TarEntryInput } from '@larder/testkit'
import { TEST_TOKEN, startAptAppHarness, type AptAppHarness } from './apt-app.harness.js'

const auth = { authorization: `Bearer ${TEST_TOKEN}` }
const control = (name: string) => `Package: ${name}\nVersion: 1.0\nArchitecture: all\nMaintainer: Tests <t@larder.invalid>\nDescription: crafted\n`
const xz = (tar: Buffer) => execFileSync('xz', ['-zc'], { input: tar })
let h: AptAppHarness

beforeAll(async () => {
  h = await startAptAppHarness([])
}, 120_000)

afterAll(async () => {
  await h?.close()
})

const upload = (body: Buffer) => h.request('/apt/larder/upload/x.deb', { method: 'PUT', headers: auth, body })

async function expectNotPublished(name: string) {
  expect((await h.request(`/apt/larder/pool/main/${name[0]}/${name}/${name}_1.0_all.deb`)).status).toBe(404)
  const packages = await h.request('/apt/larder/dists/stable/main/binary-amd64/Packages')
  expect(await packages.text()).not.toContain(`Package: ${name}\n`)
}

describe('hosted .deb uploads', () => {
  it.each<[string, TarEntryInput[], RegExp, boolean?]>([
    [
      'a ../ path',
      [
        { name: './usr/bin/tool', data: 'x' },
        { name: './../../etc/cron.d/evil', data: 'x' },
      ],
      /data\.tar\.gz holds an unsafe entry ".\/..\/..\/etc\/cron.d\/evil": it has a '..' segment/,
    ],
    ['an absolute path', [{ name: '/etc/evil', data: 'x' }], /absolute path/],
    ['a symlink climbing above /', [{ name: './usr/bin/tool', type: 'symlink', linkTarget: '../../../../etc/shadow' }], /links outside the package/],
    ['a ../ path in data.tar.xz', [{ name: './../evil', data: 'x' }], /data\.tar\.xz holds an unsafe entry/, true],
  ])('refuses data.tar with %s (400) and publishes nothing', async (_what, data, message, useXz) => {
    const name = `crafted-${Math.random().toString(36).slice(2, 8)}`
    const deb = writeCraftedDeb({ control: control(name), data, ...(useXz ? { dataMember: ['data.tar.xz', xz] as [string, (b: Buffer) => Buffer] } : {}) })
    const res = await upload(deb)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toMatch(message)
    await expectNotPublished(name)
  })

  it('refuses a data.tar.bz2, which Larder cannot check', async () => {
    const deb = writeCraftedDeb({ control: control('crafted-bz'), data: [], dataMember: ['data.tar.bz2', (tar) => tar] })
    const res = await upload(deb)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toMatch(/cannot check data\.tar\.bz2/)
  })

  it('takes absolute symlinks (they point into / where dpkg unpacks) and relative ones that stay inside', async () => {
    const deb = writeCraftedDeb({
      control: control('crafted-links'),
      data: [
        { name: './usr/', type: 'directory' },
        { name: './usr/bin/', type: 'directory' },
        { name: './usr/bin/editor', type: 'symlink', linkTarget: '/etc/alternatives/editor' },
        { name: './usr/bin/vi', type: 'symlink', linkTarget: '../share/vim/vi' },
        { name: './usr/share/vim/vi', data: 'x' },
      ],
      dataMember: ['data.tar.xz', xz],
    })
    expect((await upload(deb)).status).toBe(201)
  })

  it('serves no pool file when writing the signed suite fails after the .deb was stored', async () => {
    const store = h.services.store
    const put = store.putEntry
    store.putEntry = async (entry) => {
      if (entry.key.includes(':suite:')) throw new Error('disk full')
      return put.call(store, entry)
    }
    try {
      const res = await upload(writeCraftedDeb({ control: control('crafted-half'), data: [{ name: './usr/share/doc/x', data: 'x' }] }))
      expect(res.status).toBe(500)
    } finally {
      store.putEntry = put
    }
    await expectNotPublished('crafted-half')
  })
})
