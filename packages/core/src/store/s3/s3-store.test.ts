import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { makeTempDir, startCephRgw, startPostgres, type CephRgw, type PostgresServer, type TempDir } from '@larder/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../database/database.js'
import { withDatabaseIndex } from '../../database/entry-index.js'
import { runStoreComplianceSuite } from '../compliance.suite.js'
import type { CacheStore } from '../types.js'
import { createS3Store } from './s3-store.js'
import type { S3StoreOptions } from './s3-client.js'

// One cluster for the whole file (it takes seconds to start); each test gets its own bucket.
let ceph: CephRgw
let postgres: PostgresServer
let spool: TempDir
beforeAll(async () => {
  ;[ceph, postgres, spool] = await Promise.all([startCephRgw(), startPostgres(), makeTempDir('larder-s3-spool-')])
})
afterAll(async () => {
  await Promise.all([ceph?.cleanup(), postgres?.cleanup(), spool?.cleanup()])
})

let buckets = 0
const s3Options = (overrides: Partial<S3StoreOptions> = {}): S3StoreOptions => ({
  endpoint: ceph.endpoint,
  region: ceph.region,
  accessKeyId: ceph.accessKeyId,
  secretAccessKey: ceph.secretAccessKey,
  forcePathStyle: true,
  createBucket: true,
  bucket: `larder-test-${process.pid}-${++buckets}`,
  spoolRoot: spool.path,
  minFreeBytes: 0,
  ...overrides,
})

runStoreComplianceSuite('s3 store on Ceph RGW', async () => {
  const options = s3Options()
  return { store: createS3Store(options), cleanup: async () => {}, openTwin: () => createS3Store(options) }
})

runStoreComplianceSuite(
  's3 store on Ceph RGW with its index in PostgreSQL',
  async () => {
    const options = s3Options()
    const url = await postgres.createDatabase()
    const open = () => {
      const db = openDatabase({ url })
      const { store } = withDatabaseIndex(createS3Store(options), db)
      return { ...store, close: () => store.close().then(() => db.close()) }
    }
    return { store: open(), cleanup: async () => {}, openTwin: open }
  },
  { atomicBatches: true },
)

describe('s3 store', () => {
  const opened: CacheStore[] = []
  const open = (overrides: Partial<S3StoreOptions> = {}) => {
    const options = s3Options(overrides)
    const store = createS3Store(options)
    opened.push(store)
    return { store, options }
  }
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close()
  })
  const rawClient = (options: S3StoreOptions) =>
    new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: true,
      credentials: { accessKeyId: options.accessKeyId!, secretAccessKey: options.secretAccessKey! },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    })

  it('uploads a large file in parts, create-only, and reads any range of it back', async () => {
    const { store } = open({ multipartThresholdBytes: 6 * 1024 * 1024, partBytes: 5 * 1024 * 1024 })
    const data = randomBytes(13 * 1024 * 1024 + 17)
    const info = { sha256: sha256Hex(data), size: data.byteLength }
    const racing = [0, 1, 2].map(async (i) => {
      const path = join(store.spoolDir, `big-${i}`)
      await writeFile(path, data)
      await store.ingestBlob(path, info)
      expect(existsSync(path)).toBe(false)
    })
    await Promise.all(racing)
    expect(await store.statBlob(info.sha256)).toEqual(info)
    const whole = await readAll(await store.openBlob(info.sha256))
    expect(sha256Hex(whole)).toBe(info.sha256)
    const middle = await readAll(await store.openBlob(info.sha256, { start: 5 * 1024 * 1024 - 3, end: 5 * 1024 * 1024 + 3 }))
    expect(middle).toEqual(data.subarray(5 * 1024 * 1024 - 3, 5 * 1024 * 1024 + 4))
  })

  it('never replaces a blob that is there: a second write of other bytes under its name is refused by the service', async () => {
    const { store, options } = open()
    const info = await store.putBlob(Buffer.from('the real bytes'))
    const client = rawClient(options)
    try {
      const overwrite = client.send(
        new PutObjectCommand({ Bucket: options.bucket, Key: `blobs/sha256/${info.sha256.slice(0, 2)}/${info.sha256}`, Body: 'forged', IfNoneMatch: '*' }),
      )
      await expect(overwrite).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } })
      expect((await readAll(await store.openBlob(info.sha256))).toString()).toBe('the real bytes')
    } finally {
      client.destroy()
    }
  })

  it('declares the digest it checked, so the service refuses bytes that changed on the way', async () => {
    const { store, options } = open()
    const data = Buffer.from('checked bytes')
    const path = join(store.spoolDir, 'changed')
    await writeFile(path, Buffer.from('other bytes!!'))
    await expect(store.ingestBlob(path, { sha256: sha256Hex(data), size: data.byteLength })).rejects.toMatchObject({ code: 'E_STORE' })
    expect(await store.statBlob(sha256Hex(data))).toBeUndefined()
    expect(existsSync(path)).toBe(false)
    const client = rawClient(options)
    try {
      await expect(
        client.send(new GetObjectCommand({ Bucket: options.bucket, Key: `blobs/sha256/${sha256Hex(data).slice(0, 2)}/${sha256Hex(data)}` })),
      ).rejects.toMatchObject({
        $metadata: { httpStatusCode: 404 },
      })
    } finally {
      client.destroy()
    }
  })

  it('never downloads a blob whose stream is dropped unread (a 304), and GETs it once when it is read', async () => {
    const counted = await countingProxy(ceph.endpoint)
    try {
      const { store, options } = open({ endpoint: counted.url })
      const data = randomBytes(300 * 1024)
      const { sha256 } = await store.putBlob(data)
      // Another replica, which has never seen the blob: one HEAD tells it the blob is there, then no GET.
      const other = createS3Store(options)
      opened.push(other)
      const unseen = await other.openBlob(sha256)
      unseen!.destroy()
      const gets = () => counted.requests.filter((line) => line.startsWith('GET ') && line.includes(sha256)).length
      const unread = await store.openBlob(sha256)
      unread!.destroy()
      expect(gets()).toBe(0)
      expect(await readAll(await store.openBlob(sha256))).toEqual(data)
      expect(gets()).toBe(1)
      expect(await readAll(await store.openBlob(sha256, { start: 10, end: 19 }))).toEqual(data.subarray(10, 20))
      expect(gets()).toBe(2)
    } finally {
      await counted.stop()
    }
  })

  it('says which bucket is missing when it may not create it', async () => {
    const { store } = open({ createBucket: false })
    await expect(store.getEntry('npm:x')).rejects.toMatchObject({ code: 'E_STORE', message: expect.stringContaining('larder-test-') })
    await expect(store.probe()).rejects.toMatchObject({ code: 'E_STORE' })
  })

  it('reports an object store that is down as E_STORE, fast', async () => {
    const { store } = open({ endpoint: 'http://127.0.0.1:1' })
    await expect(store.statBlob('a'.repeat(64))).rejects.toMatchObject({ code: 'E_STORE', message: expect.stringContaining('127.0.0.1:1') })
  })
})

/** Passes requests through to `target` untouched (SigV4 signs the Host header) and notes each request line. */
async function countingProxy(target: string): Promise<{ url: string; requests: string[]; stop(): Promise<void> }> {
  const requests: string[] = []
  const upstream = new URL(target)
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`)
    const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    forwarded.on('error', () => res.destroy())
    req.pipe(forwarded)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  expect(stream).toBeDefined()
  const chunks: Buffer[] = []
  for await (const chunk of stream!) chunks.push(Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks)
}

function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}
