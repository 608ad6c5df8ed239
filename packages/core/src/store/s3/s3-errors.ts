/** How S3 answers are told apart (absent, already there, refused) and turned into E_STORE errors for the edge. */
import { LarderError } from '../../errors/larder-error.js'

interface S3ErrorShape {
  name?: string
  Code?: string
  $metadata?: { httpStatusCode?: number }
  message?: string
}

function statusOf(err: unknown): number | undefined {
  return (err as S3ErrorShape | undefined)?.$metadata?.httpStatusCode
}

function nameOf(err: unknown): string | undefined {
  const shape = err as S3ErrorShape | undefined
  return shape?.name ?? shape?.Code
}

/** NoSuchKey from GET, NotFound from HEAD (which has no body to name the error); a missing bucket is a failure, not absence. */
export function isAbsent(err: unknown): boolean {
  const name = nameOf(err)
  if (name === 'NoSuchBucket') return false
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(err) === 404
}

export function isBucketMissing(err: unknown): boolean {
  return nameOf(err) === 'NoSuchBucket'
}

/** A create-only write (`If-None-Match: *`) that lost: the object is there already. */
export function isAlreadyThere(err: unknown): boolean {
  return statusOf(err) === 412 || nameOf(err) === 'PreconditionFailed'
}

/**
 * Worth another attempt: the network, the service's 5xx and 429, and AWS's 409 ConditionalRequestConflict
 * (another conditional write of the key is in flight: it may yet fail, so this one is not "already there").
 */
export function isRetryable(err: unknown): boolean {
  const status = statusOf(err)
  return status === undefined || status >= 500 || status === 429 || status === 409
}

/** Runs one store operation, turning SDK and network errors into E_STORE so the edge reports them as such. */
export async function guardS3<T>(where: string, operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof LarderError) throw err
    const status = statusOf(err)
    const detail = `${nameOf(err) ?? 'error'}${status ? ` (HTTP ${status})` : ''}: ${(err as Error)?.message ?? String(err)}`
    throw new LarderError('E_STORE', `s3 store ${operation} on ${where} failed: ${detail}`, {
      cause: err,
      hint: isBucketMissing(err)
        ? 'create the bucket, or set LARDER_S3_CREATE_BUCKET=1 to let Larder create it'
        : 'check LARDER_S3_ENDPOINT, the credentials and that the object store is up',
    })
  }
}
