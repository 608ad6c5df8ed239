/** The S3 store's options, checked eagerly, and the SDK client they make (AWS SDK v3, any S3-compatible service). */
import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import type { S3Client } from '@aws-sdk/client-s3'
import { LarderError } from '../../errors/larder-error.js'
import { s3Sdk } from './s3-sdk.js'

/** Objects at least this large go up in parts: no single request then carries gigabytes, and a failed part is retried alone. */
export const DEFAULT_S3_MULTIPART_THRESHOLD_BYTES = 16 * 1024 * 1024
export const DEFAULT_S3_PART_BYTES = 16 * 1024 * 1024
/** Parts of one upload sent at once. */
export const DEFAULT_S3_UPLOAD_CONCURRENCY = 4
/** Sockets to the object store per replica: every client download that misses memory streams one. */
export const DEFAULT_S3_MAX_SOCKETS = 256
export const DEFAULT_S3_CONNECT_TIMEOUT_MS = 10_000
/** A socket silent this long is dropped (a hung object store must not hold a client forever). */
export const DEFAULT_S3_IDLE_TIMEOUT_MS = 60_000

const ignore = () => {}
const SILENT_SDK_LOGGER = { trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore }

export interface S3StoreOptions {
  /** e.g. http://127.0.0.1:7480; unset for AWS itself. */
  endpoint?: string
  bucket: string
  region?: string
  /** Unset: the SDK's default chain (environment, web identity, instance role). */
  accessKeyId?: string
  secretAccessKey?: string
  /** Path-style URLs (http://host/bucket/key), which most self-hosted services need. */
  forcePathStyle?: boolean
  /** Create the bucket when it does not exist. */
  createBucket?: boolean
  /** Local folder for this replica's temp files (downloads in progress); the blobs themselves live in the bucket. */
  spoolRoot: string
  /** probe() fails when the spool's filesystem has less free than this. */
  minFreeBytes?: number
  multipartThresholdBytes?: number
  partBytes?: number
  uploadConcurrency?: number
  maxSockets?: number
}

export function validateS3Options(options: S3StoreOptions): void {
  if (typeof options.bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) {
    throw new LarderError(
      'E_INVALID_OPTION',
      `bucket must be an S3 bucket name (3-63 lowercase letters, digits, dots, dashes), got ${JSON.stringify(options.bucket)}`,
    )
  }
  if (options.endpoint !== undefined && !/^https?:\/\/[^/]+/.test(options.endpoint)) {
    throw new LarderError('E_INVALID_OPTION', `endpoint must be an http(s) URL, got ${JSON.stringify(options.endpoint)}`)
  }
  if ((options.accessKeyId === undefined) !== (options.secretAccessKey === undefined)) {
    throw new LarderError('E_INVALID_OPTION', 'accessKeyId and secretAccessKey go together: give both or neither')
  }
  if (typeof options.spoolRoot !== 'string' || options.spoolRoot === '') {
    throw new LarderError('E_INVALID_OPTION', 'spoolRoot must be a non-empty path')
  }
  for (const name of ['multipartThresholdBytes', 'partBytes', 'uploadConcurrency', 'maxSockets'] as const) {
    const value = options[name]
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
      throw new LarderError('E_INVALID_OPTION', `${name} must be a positive integer`)
    }
  }
  // S3 refuses parts under 5 MiB (all but the last).
  if (options.partBytes !== undefined && options.partBytes < 5 * 1024 * 1024) {
    throw new LarderError('E_INVALID_OPTION', 'partBytes must be at least 5 MiB (5242880), the smallest part S3 accepts')
  }
}

/** `retries: false` for requests with a stream body, which the caller retries itself with a fresh stream. */
export function createS3Client(options: S3StoreOptions, behaviour: { retries: boolean }): S3Client {
  const maxSockets = options.maxSockets ?? DEFAULT_S3_MAX_SOCKETS
  return new (s3Sdk().S3Client)({
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    region: options.region ?? 'us-east-1',
    forcePathStyle: options.forcePathStyle ?? false,
    ...(options.accessKeyId && options.secretAccessKey ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } } : {}),
    // Since 3.729 the SDK adds CRC checksums to every upload by default, which S3-compatible services
    // older than that (Ceph before Reef, many others) refuse; Larder checks sha256 itself.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: behaviour.retries ? 3 : 1,
    // The SDK would print advice to the console (stdout is the request log's); Larder reports failures itself.
    logger: SILENT_SDK_LOGGER,
    requestHandler: {
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
      connectionTimeout: DEFAULT_S3_CONNECT_TIMEOUT_MS,
      requestTimeout: DEFAULT_S3_IDLE_TIMEOUT_MS,
    },
  })
}
