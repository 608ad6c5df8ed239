import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryStore, type CacheStore, type Principal } from '@larder/core'
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
