import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryStore, type CacheStore, type Principal } from '@larder/core'
import { PRIVATE_DIST_PREFIX, PRIVATE_PACKAGE_PREFIX, PrivateRepo } from './private-repo.js'

let store: CacheStore

afterEach(async () => {
  await store?.close()
})

describe('PrivateRepo.add', () => {
  it('serves no dist when the package document write fails after the dist was stored', async () => {
    store = createMemoryStore()
    const put = store.putEntry.bind(store)
    store.putEntry = async (entry) => {
      if (entry.key.startsWith(PRIVATE_PACKAGE_PREFIX)) throw new Error('disk full')
      await put(entry)
    }
    const repo = new PrivateRepo(store)
    const path = join(store.spoolDir, 'upload-half')
    await writeFile(path, 'zip')
    const hex = (algorithm: string) => createHash(algorithm).update('zip').digest('hex')
    const zip = { path, size: 3, sha256: hex('sha256'), digests: { sha256: hex('sha256'), sha1: hex('sha1') } }
    const release = { name: 'team/half', version: '1.0.0', versionNormalized: '1.0.0.0', composerJson: { name: 'team/half' }, zip }
    await expect(repo.add(release, { name: 'tester' } as Principal)).rejects.toThrow('disk full')
    const keys: string[] = []
    for await (const key of store.listEntries(PRIVATE_DIST_PREFIX)) keys.push(key)
    expect(keys).toEqual([])
  })
})
