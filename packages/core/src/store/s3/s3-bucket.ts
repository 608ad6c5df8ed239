/** One bucket as the S3 store uses it: checked (or made) once, every call an E_STORE error naming it when it fails. */
import type { Readable } from 'node:stream'
import type { HeadObjectCommandOutput, S3Client } from '@aws-sdk/client-s3'
import type { ByteRange } from '../types.js'
import { guardS3, isAbsent, isBucketMissing } from './s3-errors.js'
import { s3Sdk } from './s3-sdk.js'

export interface ListedObject {
  Key?: string
  Size?: number
  LastModified?: Date
}

export class S3Bucket {
  /** e.g. "http://127.0.0.1:7480 bucket larder", for messages. */
  readonly where: string
  private ready: Promise<void> | undefined

  constructor(
    readonly client: S3Client,
    readonly name: string,
    endpoint: string | undefined,
    private readonly createIfMissing: boolean,
  ) {
    this.where = `${endpoint ?? 'AWS S3'} bucket ${name}`
  }

  /** Runs `run` once the bucket is known to be there, turning its failures into E_STORE. */
  guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return guardS3(this.where, operation, async () => {
      await this.bucketReady()
      return run()
    })
  }

  /** The object's text, or undefined when it is absent. */
  async getText(key: string): Promise<string | undefined> {
    try {
      const got = await this.client.send(new (s3Sdk().GetObjectCommand)({ Bucket: this.name, Key: key }))
      return await got.Body!.transformToString('utf8')
    } catch (err) {
      if (isAbsent(err)) return undefined
      throw err
    }
  }

  async getStream(key: string, range?: ByteRange): Promise<Readable> {
    const got = await this.client.send(
      new (s3Sdk().GetObjectCommand)({ Bucket: this.name, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
    )
    return got.Body as Readable
  }

  head(key: string): Promise<HeadObjectCommandOutput | undefined> {
    return this.client.send(new (s3Sdk().HeadObjectCommand)({ Bucket: this.name, Key: key })).then(
      (head) => head,
      (err) => (isAbsent(err) ? undefined : Promise.reject(err)),
    )
  }

  /** A small body in one PUT; `createOnly` sends If-None-Match: * (a 412 if the object is there). */
  async put(key: string, body: string | Uint8Array, createOnly = false): Promise<void> {
    const ContentLength = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength
    await this.client.send(
      new (s3Sdk().PutObjectCommand)({ Bucket: this.name, Key: key, Body: body, ContentLength, ...(createOnly ? { IfNoneMatch: '*' } : {}) }),
    )
  }

  /** One request per object: DeleteObjects needs a body checksum that S3-compatible services disagree on. */
  async delete(key: string): Promise<void> {
    await this.client.send(new (s3Sdk().DeleteObjectCommand)({ Bucket: this.name, Key: key }))
  }

  async *list(prefix: string): AsyncIterable<ListedObject> {
    let token: string | undefined
    do {
      const page = await this.guard('list', () =>
        this.client.send(new (s3Sdk().ListObjectsV2Command)({ Bucket: this.name, Prefix: prefix, ContinuationToken: token })),
      )
      yield* page.Contents ?? []
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
  }

  /** Checked (and made, when allowed) once; a failure is tried again on the next call. */
  private bucketReady(): Promise<void> {
    this.ready ??= this.ensureBucket().catch((err) => {
      this.ready = undefined
      throw err
    })
    return this.ready
  }

  private async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new (s3Sdk().HeadBucketCommand)({ Bucket: this.name }))
    } catch (err) {
      // HEAD has no body to name the error: a 404 on the bucket is NotFound.
      const missing = isBucketMissing(err) || (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404
      if (!(this.createIfMissing && missing)) throw err
      await this.client.send(new (s3Sdk().CreateBucketCommand)({ Bucket: this.name })).catch((createErr) => {
        if ((createErr as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw createErr
      })
    }
  }
}
