import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createLogger, createMemoryStore, createPublishEvents, type CacheStore, type Principal } from '@larder/core'
import { packNpmPackage } from '@larder/testkit'
import { parsePackageName } from '../names/package-name.js'
import { PRIVATE_PACKUMENT_PREFIX, PRIVATE_TARBALL_PREFIX, PrivateRegistry } from './private-registry.js'
import { readPublishDocument } from './publish-document.js'

let store: CacheStore

afterEach(async () => {
  await store?.close()
})

describe('PrivateRegistry.publish', () => {
  it('serves no tarball when the packument write fails after the tarball was stored', async () => {
    store = createMemoryStore()
    const put = store.putEntry.bind(store)
    store.putEntry = async (entry) => {
      if (entry.key.startsWith(PRIVATE_PACKUMENT_PREFIX)) throw new Error('disk full')
      await put(entry)
    }
    const pkg = await packNpmPackage({ name: 'half-published', version: '1.0.0' })
    const name = parsePackageName('half-published')
    const published = readPublishDocument(name, {
      name: 'half-published',
      versions: { '1.0.0': { ...pkg.manifest, dist: { integrity: pkg.integrity } } },
      _attachments: { [pkg.filename]: { data: pkg.tarball.toString('base64') } },
    })
    const registry = new PrivateRegistry(store)
    await expect(registry.publish(name, published, { name: 'tester' } as Principal)).rejects.toThrow('disk full')
    expect(await store.getEntry(`${PRIVATE_TARBALL_PREFIX}half-published/${pkg.filename}`)).toBeUndefined()
    expect(await registry.tarballEntry(name, pkg.filename)).toBeUndefined()
  })
})

describe('PrivateRegistry events', () => {
  it('announces publish, dist-tag, deprecate and unpublish in commit order, with the files and who; a refused publish announces nothing', async () => {
    store = createMemoryStore()
    const dir = await mkdtemp(join(tmpdir(), 'larder-npm-events-'))
    const events = createPublishEvents({ dir, webhooks: [], logger: createLogger({ level: 'silent' }) })
    const registry = new PrivateRegistry(store, () => false, { events })
    const name = parsePackageName('announced')
    const ci = { name: 'ci', scopes: ['npm'] } as Principal
    const packs = [await packNpmPackage({ name: 'announced', version: '1.0.0' }), await packNpmPackage({ name: 'announced', version: '1.1.0' })]
    for (const pkg of packs) {
      const doc = {
        name: 'announced',
        versions: { [pkg.manifest.version as string]: { ...pkg.manifest, dist: { integrity: pkg.integrity } } },
        _attachments: { [pkg.filename]: { data: pkg.tarball.toString('base64') } },
      }
      await registry.publish(name, readPublishDocument(name, doc), ci)
      await expect(registry.publish(name, readPublishDocument(name, doc), ci)).rejects.toThrow(/already published/)
    }
    await registry.setDistTag(name, 'beta', '1.1.0', ci)
    const source = (await registry.source(name))!
    const next = structuredClone(source)
    next.versions['1.0.0'].deprecated = 'use 1.1.0'
    delete next.versions['1.1.0']
    next['dist-tags'] = { latest: '1.0.0' }
    await registry.update(name, source._rev, next, 'unpublished', ci)
    await registry.remove(name, (await registry.source(name))!._rev, ci)

    const { events: announced } = await events.list(undefined, 100)
    expect(announced.map((e) => [e.type, e.version, e.tag ?? null])).toEqual([
      ['publish', '1.0.0', null],
      ['publish', '1.1.0', null],
      ['dist-tag', '1.1.0', 'beta'],
      ['deprecate', '1.0.0', null],
      ['unpublish', '1.1.0', null],
      ['unpublish', null, null],
    ])
    const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
    expect(announced[0]).toMatchObject({ ecosystem: 'npm', name: 'announced', by: 'ci' })
    expect(announced[0]!.files).toEqual([{ name: packs[0]!.filename, size: packs[0]!.tarball.length, sha256: sha256(packs[0]!.tarball) }])
    expect(announced[4]!.files).toEqual([{ name: packs[1]!.filename, size: packs[1]!.tarball.length, sha256: sha256(packs[1]!.tarball) }])
    expect(announced[5]!.files.map((f) => f.name)).toEqual([packs[0]!.filename])
    await events.close()
    await rm(dir, { recursive: true, force: true })
  })
})
