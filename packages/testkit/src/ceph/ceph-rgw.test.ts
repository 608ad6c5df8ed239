/** startCephRgw: a real RGW that an AWS SDK client can use, and what its conditional writes actually guarantee. */
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CephRgw, startCephRgw } from './ceph-rgw.js'

/** S3's minimum size for every part but the last. */
const MIN_PART_BYTES = 5 * 1024 * 1024
const RACERS = 20

let rgw: CephRgw
let s3: S3Client

beforeAll(async () => {
  rgw = await startCephRgw()
  s3 = new S3Client({
    endpoint: rgw.endpoint,
    region: rgw.region,
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
    forcePathStyle: true,
    // By default the SDK sends a stream body aws-chunked with a trailing checksum, which RGW 16 answers with 411 MissingContentLength.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
  await s3.send(new CreateBucketCommand({ Bucket: 'larder' }))
})

afterAll(async () => {
  s3?.destroy()
  await rgw?.cleanup()
})

/** 'ok', or the HTTP status and S3 error code of a rejected call ('412 PreconditionFailed'). */
async function outcome(send: Promise<unknown>): Promise<string> {
  try {
    await send
    return 'ok'
  } catch (error) {
    if (error instanceof S3ServiceException) return `${error.$metadata.httpStatusCode} ${error.name}`
    throw error
  }
}

async function multipartUpload(key: string, fill: number): Promise<() => Promise<unknown>> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'larder', Key: key }))
  const bodies = [Buffer.alloc(MIN_PART_BYTES, fill), Buffer.alloc(1024, fill)]
  const parts = await Promise.all(
    bodies.map(async (Body, index) => {
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket: 'larder', Key: key, UploadId, PartNumber: index + 1, Body }))
      return { ETag, PartNumber: index + 1 }
    }),
  )
  return () => s3.send(new CompleteMultipartUploadCommand({ Bucket: 'larder', Key: key, UploadId, IfNoneMatch: '*', MultipartUpload: { Parts: parts } }))
}

describe('startCephRgw', () => {
  it('serves S3 over its endpoint: PUT, GET and a ranged GET', async () => {
    expect(rgw.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    await s3.send(new PutObjectCommand({ Bucket: 'larder', Key: 'hello.txt', Body: 'hello, ceph', ContentType: 'text/plain' }))
    const whole = await s3.send(new GetObjectCommand({ Bucket: 'larder', Key: 'hello.txt' }))
    expect(await whole.Body!.transformToString()).toBe('hello, ceph')
    expect(whole.ContentType).toBe('text/plain')
    const ranged = await s3.send(new GetObjectCommand({ Bucket: 'larder', Key: 'hello.txt', Range: 'bytes=7-10' }))
    expect(ranged.$metadata.httpStatusCode).toBe(206)
    expect(ranged.ContentRange).toBe('bytes 7-10/11')
    expect(await ranged.Body!.transformToString()).toBe('ceph')
  })

  it('lets exactly one of racing If-None-Match: * PUTs create a key; the others get 412', async () => {
    const results = await Promise.all(
      Array.from({ length: RACERS }, (_, index) =>
        outcome(s3.send(new PutObjectCommand({ Bucket: 'larder', Key: 'raced', Body: `writer ${index}`, IfNoneMatch: '*' }))),
      ),
    )
    expect(results.filter((result) => result === 'ok')).toHaveLength(1)
    expect(results.filter((result) => result === '412 PreconditionFailed')).toHaveLength(RACERS - 1)
    const winner = results.indexOf('ok')
    const stored = await s3.send(new GetObjectCommand({ Bucket: 'larder', Key: 'raced' }))
    expect(await stored.Body!.transformToString()).toBe(`writer ${winner}`)
  })

  it('ignores If-None-Match on CompleteMultipartUpload: the second completion silently overwrites (Ceph 16)', async () => {
    const first = await multipartUpload('multipart', 0x61)
    const second = await multipartUpload('multipart', 0x62)
    expect(await outcome(first())).toBe('ok')
    expect(await outcome(second())).toBe('ok')
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'larder', Key: 'multipart' }))
    expect(head.ContentLength).toBe(MIN_PART_BYTES + 1024)
    const lastByte = await s3.send(new GetObjectCommand({ Bucket: 'larder', Key: 'multipart', Range: 'bytes=-1' }))
    expect(await lastByte.Body!.transformToString()).toBe('b')
  })

  it('names the daemons in output() for failure messages', () => {
    expect(rgw.output()).toMatch(/--- mon\.a stderr ---[\s\S]*--- client\.rgw log \(end\) ---/)
  })
})
