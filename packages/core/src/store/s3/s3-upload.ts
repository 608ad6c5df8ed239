/** Puts a verified local file into the bucket create-only (`If-None-Match: *`): one PUT when small, else in parts. */
import { createReadStream } from 'node:fs'
import type { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { isAlreadyThere, isRetryable } from './s3-errors.js'
import { s3Sdk } from './s3-sdk.js'

/** S3 allows at most this many parts in one upload. */
const MAX_PARTS = 10_000
const UPLOAD_ATTEMPTS = 3
const RETRY_DELAY_MS = 250

export interface FileUpload {
  /** An SDK client that does not retry by itself: a stream body cannot be sent twice, so each attempt here opens the file again. */
  client: S3Client
  bucket: string
  key: string
  localPath: string
  size: number
  /** The file's sha256 (hex), already checked: a single PUT declares it and the service refuses other bytes. */
  sha256: string
  multipartThresholdBytes: number
  partBytes: number
  concurrency: number
}

/** 'stored', or 'exists' when an object of that key was there first (content-addressed: the same bytes). */
export async function uploadFileCreateOnly(upload: FileUpload): Promise<'stored' | 'exists'> {
  return upload.size < upload.multipartThresholdBytes ? putWhole(upload) : putInParts(upload)
}

async function putWhole(upload: FileUpload): Promise<'stored' | 'exists'> {
  try {
    await withAttempts(() =>
      withFileStream(upload.localPath, undefined, (Body) => {
        const command = new (s3Sdk().PutObjectCommand)({
          Bucket: upload.bucket,
          Key: upload.key,
          Body,
          ContentLength: upload.size,
          ContentType: 'application/octet-stream',
          IfNoneMatch: '*',
        })
        declarePayloadHash(command, upload.sha256)
        return upload.client.send(command)
      }),
    )
    return 'stored'
  } catch (err) {
    if (isAlreadyThere(err)) return 'exists'
    throw err
  }
}

async function putInParts(upload: FileUpload): Promise<'stored' | 'exists'> {
  const { client, bucket, key } = upload
  const partBytes = Math.max(upload.partBytes, Math.ceil(upload.size / MAX_PARTS))
  const count = Math.max(1, Math.ceil(upload.size / partBytes))
  const created = await withAttempts(() =>
    client.send(new (s3Sdk().CreateMultipartUploadCommand)({ Bucket: bucket, Key: key, ContentType: 'application/octet-stream' })),
  )
  const uploadId = created.UploadId!
  try {
    const etags: string[] = new Array(count)
    let next = 0
    let failed = false
    const sendParts = async () => {
      // After one part fails the others stop taking parts: nothing is sent past the abort below.
      while (next < count && !failed) {
        const index = next++
        const start = index * partBytes
        const end = Math.min(upload.size, start + partBytes) - 1
        try {
          const sent = await withAttempts(() =>
            withFileStream(upload.localPath, { start, end }, (Body) =>
              client.send(
                new (s3Sdk().UploadPartCommand)({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: index + 1, Body, ContentLength: end - start + 1 }),
              ),
            ),
          )
          etags[index] = sent.ETag!
        } catch (err) {
          failed = true
          throw err
        }
      }
    }
    const sent = await Promise.allSettled(Array.from({ length: Math.min(upload.concurrency, count) }, sendParts))
    const refused = sent.find((result) => result.status === 'rejected')
    if (refused) throw refused.reason
    await withAttempts(() =>
      client.send(
        new (s3Sdk().CompleteMultipartUploadCommand)({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
          // Honoured by AWS; Ceph 16 completes anyway and replaces the object. Either way the bytes are the
          // same (the name is their digest), and ingestBlob looked for the blob before uploading.
          IfNoneMatch: '*',
        }),
      ),
    )
    return 'stored'
  } catch (err) {
    await client.send(new (s3Sdk().AbortMultipartUploadCommand)({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => {})
    if (isAlreadyThere(err)) return 'exists'
    throw err
  }
}

/** Hands `send` a fresh read stream of the file (or of one range), and closes it whatever happens to the request. */
async function withFileStream<T>(
  path: string,
  range: { start: number; end: number } | undefined,
  send: (body: ReturnType<typeof createReadStream>) => Promise<T>,
): Promise<T> {
  const body = createReadStream(path, range)
  try {
    return await send(body)
  } finally {
    body.destroy()
  }
}

/** Sends x-amz-content-sha256 as the body's real digest instead of UNSIGNED-PAYLOAD: the service then checks every byte it stores. */
function declarePayloadHash(command: PutObjectCommand, sha256: string): void {
  command.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string> }
      if (request.headers) request.headers['x-amz-content-sha256'] = sha256
      return next(args)
    },
    { step: 'build', name: 'larderDeclarePayloadHash' },
  )
}

async function withAttempts<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send()
    } catch (err) {
      if (attempt >= UPLOAD_ATTEMPTS || isAlreadyThere(err) || !isRetryable(err)) throw err
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * attempt))
    }
  }
}
