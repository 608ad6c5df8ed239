/** Blobs and entries as objects in one S3 bucket: blobs content-addressed and created only once, entries replaced whole. */
import { randomUUID } from 'node:crypto'
import { stat, statfs } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { LRUCache } from 'lru-cache'
import { LarderError } from '../../errors/larder-error.js'
import { DEFAULT_MIN_FREE_BYTES, DEFAULT_TMP_MAX_AGE_MS } from '../fs-store.js'
import { unlinkIfExists } from '../fs-files.js'
import { claimSpoolFolder } from '../spool-owner.js'
import type { BlobInfo, ByteRange, CacheStore, ListedBlob } from '../types.js'
import { assertBlobInfo, assertRange, assertSha256, sha256Hex } from '../validate.js'
import { LazyObjectStream } from './lazy-object-stream.js'
import { S3Bucket } from './s3-bucket.js'
import {
  createS3Client,
  DEFAULT_S3_MULTIPART_THRESHOLD_BYTES,
  DEFAULT_S3_PART_BYTES,
  DEFAULT_S3_UPLOAD_CONCURRENCY,
  type S3StoreOptions,
  validateS3Options,
} from './s3-client.js'
import { s3Entries } from './s3-entries.js'
import { guardS3, isAbsent, isAlreadyThere } from './s3-errors.js'
import { uploadFileCreateOnly } from './s3-upload.js'

const BLOBS = 'blobs/sha256/'
/**
 * A create-only blob cannot be rewritten to move its date, so storing it again writes a small marker
 * instead; a blob's storedAt is the later of the two (gc spares what was stored again lately).
 */
const RESTORED = 'restored/'
const PROBES = 'probes/'
/** Blobs this process knows are in the bucket (they never change; gc deletes only what no entry names). */
const KNOWN_PRESENT_MAX = 50_000

export function createS3Store(options: S3StoreOptions): CacheStore {
  validateS3Options(options)
  const client = createS3Client(options, { retries: true })
  const uploadClient = createS3Client(options, { retries: false })
  const bucket = new S3Bucket(client, options.bucket, options.endpoint, options.createBucket ?? false)
  const minFreeBytes = options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES
  const spool = claimSpoolFolder(options.spoolRoot, { looseMaxAgeMs: DEFAULT_TMP_MAX_AGE_MS })
  const present = new LRUCache<string, true>({ max: KNOWN_PRESENT_MAX })
  const blobKey = (sha256: string): string => {
    assertSha256(sha256)
    return `${BLOBS}${sha256.slice(0, 2)}/${sha256}`
  }
  const markStoredAgain = (sha256: string) => bucket.put(`${RESTORED}${sha256}`, '')

  return {
    spoolDir: spool.dir,
    ...s3Entries(bucket),

    statBlob: (sha256) =>
      bucket.guard('statBlob', async () => {
        const head = await bucket.head(blobKey(sha256))
        if (!head) return undefined
        present.set(sha256, true)
        return { sha256, size: head.ContentLength ?? 0 }
      }),

    async *listBlobs(): AsyncIterable<ListedBlob> {
      const storedAgain = new Map<string, number>()
      for await (const marker of bucket.list(RESTORED)) storedAgain.set(marker.Key!.slice(RESTORED.length), marker.LastModified?.getTime() ?? 0)
      for await (const object of bucket.list(BLOBS)) {
        const sha256 = object.Key!.slice(object.Key!.lastIndexOf('/') + 1)
        const storedAt = Math.max(object.LastModified?.getTime() ?? 0, storedAgain.get(sha256) ?? 0)
        yield { sha256, size: object.Size ?? 0, storedAt }
      }
    },

    openBlob: (sha256: string, range?: ByteRange) =>
      bucket.guard('openBlob', async (): Promise<Readable | undefined> => {
        if (range) assertRange(range)
        const Key = blobKey(sha256)
        // A HEAD the first time (absence is `undefined`, not a stream error), then nothing until the
        // stream is read: a 304 or a dropped stream never starts a download.
        if (!present.has(sha256) && !(await bucket.head(Key))) return undefined
        present.set(sha256, true)
        return new LazyObjectStream(() =>
          guardS3(bucket.where, 'openBlob', () => bucket.getStream(Key, range)).catch((err) => {
            if (isAbsent(err.cause)) present.delete(sha256)
            throw err
          }),
        )
      }),

    ingestBlob: (localPath: string, expected: BlobInfo) =>
      bucket.guard('ingestBlob', async () => {
        try {
          assertBlobInfo(expected)
          const Key = blobKey(expected.sha256)
          const { size } = await stat(localPath)
          if (size !== expected.size) {
            throw new LarderError('E_STORE', `refusing blob ${expected.sha256}: file has ${size} bytes, expected ${expected.size}`)
          }
          const already = (await bucket.head(Key)) !== undefined
          const outcome = already
            ? 'exists'
            : await uploadFileCreateOnly({
                client: uploadClient,
                bucket: bucket.name,
                key: Key,
                localPath,
                size,
                sha256: expected.sha256,
                multipartThresholdBytes: options.multipartThresholdBytes ?? DEFAULT_S3_MULTIPART_THRESHOLD_BYTES,
                partBytes: options.partBytes ?? DEFAULT_S3_PART_BYTES,
                concurrency: options.uploadConcurrency ?? DEFAULT_S3_UPLOAD_CONCURRENCY,
              })
          if (outcome === 'exists') await markStoredAgain(expected.sha256)
          present.set(expected.sha256, true)
        } finally {
          // The store owns the file: stored, refused or already there, it must not pile up in the spool.
          await unlinkIfExists(localPath)
        }
      }),

    putBlob: (data: Uint8Array) =>
      bucket.guard('putBlob', async () => {
        const info = { sha256: sha256Hex(data), size: data.byteLength }
        try {
          await bucket.put(blobKey(info.sha256), data, true)
        } catch (err) {
          if (!isAlreadyThere(err)) throw err
          await markStoredAgain(info.sha256)
        }
        present.set(info.sha256, true)
        return info
      }),

    deleteBlob: (sha256) =>
      bucket.guard('deleteBlob', async () => {
        present.delete(sha256)
        await bucket.delete(blobKey(sha256))
        await bucket.delete(`${RESTORED}${sha256}`)
      }),

    async probe() {
      const { bavail, bsize } = await statfs(spool.dir)
      if (bavail * bsize < minFreeBytes) {
        throw new LarderError('E_STORE', `only ${Math.round((bavail * bsize) / 1048576)} MB free for downloads in progress (${spool.dir})`, {
          hint: 'free disk space or move LARDER_DATA_DIR to a larger disk; LARDER_MIN_FREE_MB sets the threshold',
        })
      }
      await bucket.guard('probe', async () => {
        const Key = `${PROBES}${randomUUID()}`
        await bucket.put(Key, 'probe')
        await bucket.delete(Key)
      })
    },

    async close() {
      spool.release()
      client.destroy()
      uploadClient.destroy()
    },
  }
}
