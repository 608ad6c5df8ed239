/** Entries as small JSON objects in the bucket, one per key (named by the key's sha256), replaced whole. */
import { LarderError } from '../../errors/larder-error.js'
import type { CacheEntry, CacheStore } from '../types.js'
import { namespaceOf, namespaceOfPrefix, sha256Hex } from '../validate.js'
import type { S3Bucket } from './s3-bucket.js'

const ENTRIES = 'entries/'

export type EntryMethods = Pick<CacheStore, 'getEntry' | 'putEntry' | 'deleteEntry' | 'listEntries'>

export function s3Entries(bucket: S3Bucket): EntryMethods {
  // Keys are hashed, never used as object names: any key fits, and none can collide with another.
  const objectKey = (key: string): string => `${ENTRIES}${namespaceOf(key)}/${sha256Hex(key)}.json`

  const read = async (name: string, key?: string): Promise<CacheEntry | undefined> => {
    const text = await bucket.getText(name)
    if (text === undefined) return undefined
    let entry: CacheEntry
    try {
      entry = JSON.parse(text) as CacheEntry
    } catch (err) {
      throw new LarderError('E_STORE', `corrupt entry object ${name} in ${bucket.where}`, {
        cause: err,
        hint: 'delete the object; the entry will be fetched again',
      })
    }
    if (typeof entry?.key !== 'string' || (key !== undefined && entry.key !== key)) {
      throw new LarderError('E_STORE', `entry object ${name} in ${bucket.where} does not hold the expected key`)
    }
    return entry
  }

  return {
    getEntry: (key) => bucket.guard('getEntry', () => read(objectKey(key), key)),
    putEntry: (entry) => bucket.guard('putEntry', () => bucket.put(objectKey(entry.key), JSON.stringify(entry))),
    deleteEntry: (key) => bucket.guard('deleteEntry', () => bucket.delete(objectKey(key))),
    async *listEntries(prefix) {
      const namespace = namespaceOfPrefix(prefix)
      for await (const object of bucket.list(namespace === undefined ? ENTRIES : `${ENTRIES}${namespace}/`)) {
        // undefined when deleted since the listing: simply no longer listed.
        const entry = await bucket.guard('listEntries', () => read(object.Key!))
        if (entry?.key.startsWith(prefix)) yield entry.key
      }
    },
  }
}
