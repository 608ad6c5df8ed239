/** Blobs and entries as objects in one S3 bucket: blobs content-addressed and created only once, entries replaced whole. */
import { createHash, randomUUID } from 'node:crypto'
import { rm, stat, statfs } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3'
import { LRUCache } from 'lru-cache'
import { LarderError } from '../../errors/larder-error.js'
import { DEFAULT_MIN_FREE_BYTES, DEFAULT_TMP_MAX_AGE_MS } from '../fs-store.js'
import { claimSpoolFolder } from '../spool-owner.js'
import type { BlobInfo, ByteRange, CacheEntry, CacheStore, ListedBlob } from '../types.js'
import { assertBlobInfo, assertRange, assertSha256, namespaceOf, namespaceOfPrefix } from '../validate.js'
import {
  createS3Client,
  DEFAULT_S3_MULTIPART_THRESHOLD_BYTES,
  DEFAULT_S3_PART_BYTES,
  DEFAULT_S3_UPLOAD_CONCURRENCY,
  type S3StoreOptions,
  validateS3Options,
} from './s3-client.js'
import { guardS3, isAbsent, isAlreadyThere, isBucketMissing } from './s3-errors.js'
import { LazyObjectStream } from './lazy-object-stream.js'
import { uploadFileCreateOnly } from './s3-upload.js'

const BLOBS = 'blobs/sha256/'
const ENTRIES = 'entries/'
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
  const { bucket } = options
  const where = `${options.endpoint ?? 'AWS S3'} bucket ${bucket}`
  const client = createS3Client(options, { retries: true })
  const uploadClient = createS3Client(options, { retries: false })
  const minFreeBytes = options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES
  const spool = claimSpoolFolder(options.spoolRoot, { looseMaxAgeMs: DEFAULT_TMP_MAX_AGE_MS })
  const guard = <T>(operation: string, run: () => Promise<T>) =>
    guardS3(where, operation, async () => {
      await bucketReady()
      return run()
    })

  let ready: Promise<void> | undefined
  /** The bucket is checked (and made, when allowed) once; a failure is tried again on the next call. */
  const bucketReady = (): Promise<void> => {
    ready ??= ensureBucket().catch((err) => {
      ready = undefined
      throw err
    })
    return ready
  }
  const ensureBucket = async () => {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }))
    } catch (err) {
      if (!(options.createBucket && (isAbsent(err) || isBucketMissing(err)))) throw err
      await client.send(new CreateBucketCommand({ Bucket: bucket })).catch((createErr) => {
        if ((createErr as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw createErr
      })
    }
  }

  const blobKey = (sha256: string): string => {
    assertSha256(sha256)
    return `${BLOBS}${sha256.slice(0, 2)}/${sha256}`
  }
  // Keys are hashed, never used as object names: any key fits, and none can collide with another.
  const entryKey = (key: string): string => `${ENTRIES}${namespaceOf(key)}/${sha256Hex(key)}.json`

  const getText = async (objectKey: string): Promise<string | undefined> => {
    try {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }))
      return await got.Body!.transformToString('utf8')
    } catch (err) {
      if (isAbsent(err)) return undefined
      throw err
    }
  }
  const putSmall = (objectKey: string, body: string | Uint8Array, ifNoneMatch?: '*') =>
    client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: objectKey,
        Body: body,
        ContentLength: typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
        ...(ifNoneMatch ? { IfNoneMatch: ifNoneMatch } : {}),
      }),
    )

  const readEntry = async (objectKey: string, key?: string): Promise<CacheEntry | undefined> => {
    const text = await getText(objectKey)
    if (text === undefined) return undefined
    let entry: CacheEntry
    try {
      entry = JSON.parse(text) as CacheEntry
    } catch (err) {
      throw new LarderError('E_STORE', `corrupt entry object ${objectKey} in ${where}`, {
        cause: err,
        hint: 'delete the object; the entry will be fetched again',
      })
    }
    if (typeof entry?.key !== 'string' || (key !== undefined && entry.key !== key)) {
      throw new LarderError('E_STORE', `entry object ${objectKey} in ${where} does not hold the expected key`)
    }
    return entry
  }

  async function* listObjects(prefix: string): AsyncIterable<{ Key?: string; Size?: number; LastModified?: Date }> {
    let token: string | undefined
    do {
      const page = await guard('list', () => client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })))
      yield* page.Contents ?? []
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
  }

  const markStoredAgain = (sha256: string) => putSmall(`${RESTORED}${sha256}`, '')
  const present = new LRUCache<string, true>({ max: KNOWN_PRESENT_MAX })
  const getObject = async (Key: string, range: ByteRange | undefined): Promise<Readable> => {
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }))
    return got.Body as Readable
  }

  return {
    spoolDir: spool.dir,

    getEntry: (key) => guard('getEntry', () => readEntry(entryKey(key), key)),

    putEntry: (entry) =>
      guard('putEntry', async () => {
        await putSmall(entryKey(entry.key), JSON.stringify(entry))
      }),

    deleteEntry: (key) =>
      guard('deleteEntry', async () => {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: entryKey(key) }))
      }),

    async *listEntries(prefix) {
      const namespace = namespaceOfPrefix(prefix)
      for await (const object of listObjects(namespace === undefined ? ENTRIES : `${ENTRIES}${namespace}/`)) {
        // undefined when deleted since the listing: simply no longer listed.
        const entry = await guard('listEntries', () => readEntry(object.Key!))
        if (entry?.key.startsWith(prefix)) yield entry.key
      }
    },

    statBlob: (sha256) =>
      guard('statBlob', async () => {
        try {
          const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: blobKey(sha256) }))
          present.set(sha256, true)
          return { sha256, size: head.ContentLength ?? 0 }
        } catch (err) {
          if (isAbsent(err)) return undefined
          throw err
        }
      }),

    async *listBlobs(): AsyncIterable<ListedBlob> {
      const storedAgain = new Map<string, number>()
      for await (const marker of listObjects(RESTORED)) storedAgain.set(marker.Key!.slice(RESTORED.length), marker.LastModified?.getTime() ?? 0)
      for await (const object of listObjects(BLOBS)) {
        const sha256 = object.Key!.slice(object.Key!.lastIndexOf('/') + 1)
        const storedAt = Math.max(object.LastModified?.getTime() ?? 0, storedAgain.get(sha256) ?? 0)
        yield { sha256, size: object.Size ?? 0, storedAt }
      }
    },

    openBlob: (sha256: string, range?: ByteRange) =>
      guard('openBlob', async (): Promise<Readable | undefined> => {
        if (range) assertRange(range)
        const Key = blobKey(sha256)
        if (present.has(sha256)) {
          return new LazyObjectStream(() =>
            guardS3(where, 'openBlob', () => getObject(Key, range)).catch((err) => {
              if (isAbsent(err.cause)) present.delete(sha256)
              throw err
            }),
          )
        }
        try {
          const body = await getObject(Key, range)
          present.set(sha256, true)
          return body
        } catch (err) {
          if (isAbsent(err)) return undefined
          throw err
        }
      }),

    ingestBlob: (localPath: string, expected: BlobInfo) =>
      guard('ingestBlob', async () => {
        try {
          assertBlobInfo(expected)
          const Key = blobKey(expected.sha256)
          const { size } = await stat(localPath)
          if (size !== expected.size) {
            throw new LarderError('E_STORE', `refusing blob ${expected.sha256}: file has ${size} bytes, expected ${expected.size}`)
          }
          const already = await client.send(new HeadObjectCommand({ Bucket: bucket, Key })).then(
            () => true,
            (err) => (isAbsent(err) ? false : Promise.reject(err)),
          )
          const outcome = already
            ? 'exists'
            : await uploadFileCreateOnly({
                client: uploadClient,
                bucket,
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
          await rm(localPath, { force: true })
        }
      }),

    putBlob: (data: Uint8Array) =>
      guard('putBlob', async () => {
        const info = { sha256: sha256Hex(data), size: data.byteLength }
        try {
          await putSmall(blobKey(info.sha256), data, '*')
        } catch (err) {
          if (!isAlreadyThere(err)) throw err
          await markStoredAgain(info.sha256)
        }
        present.set(info.sha256, true)
        return info
      }),

    deleteBlob: (sha256) =>
      guard('deleteBlob', async () => {
        present.delete(sha256)
        // One request per object: DeleteObjects needs a body checksum that S3-compatible services disagree on.
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: blobKey(sha256) }))
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${RESTORED}${sha256}` }))
      }),

    async probe() {
      const { bavail, bsize } = await statfs(spool.dir)
      if (bavail * bsize < minFreeBytes) {
        throw new LarderError('E_STORE', `only ${Math.round((bavail * bsize) / 1048576)} MB free for downloads in progress (${spool.dir})`, {
          hint: 'free disk space or move LARDER_DATA_DIR to a larger disk; LARDER_MIN_FREE_MB sets the threshold',
        })
      }
      await guard('probe', async () => {
        const Key = `${PROBES}${randomUUID()}`
        await putSmall(Key, 'probe')
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key }))
      })
    },

    async close() {
      spool.release()
      client.destroy()
      uploadClient.destroy()
    },
  }
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}
