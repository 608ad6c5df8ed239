import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryStore, type CacheStore, type Principal } from '@larder/core'
import { PRIVATE_PROJECT_PREFIX, PrivateIndex } from './private-index.js'

let store: CacheStore

afterEach(async () => {
  await store?.close()
})

describe('PrivateIndex.add', () => {
  it('serves neither the file nor its metadata when the page write fails after they were stored', async () => {
    store = createMemoryStore()
    const put = store.putEntry.bind(store)
    store.putEntry = async (entry) => {
      if (entry.key.startsWith(PRIVATE_PROJECT_PREFIX)) throw new Error('disk full')
      await put(entry)
    }
    const index = new PrivateIndex(store)
    const path = join(store.spoolDir, 'upload-half')
    await writeFile(path, 'wheel')
    const file = { path, size: 5, sha256: createHash('sha256').update('wheel').digest('hex'), digests: {} }
    const upload = { project: 'half', filename: 'half-1.0-py3-none-any.whl', version: '1.0', file, metadata: Buffer.from('Name: half') }
    await expect(index.add(upload, { name: 'tester' } as Principal)).rejects.toThrow('disk full')
    expect(await index.fileEntry('half', upload.filename)).toBeUndefined()
    expect(await index.metadataEntry('half', upload.filename)).toBeUndefined()
  })
})
