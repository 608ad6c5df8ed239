/**
 * The container format an artifact must be in, judged by its first bytes before anything is stored or
 * sent: an artifact with no digest to check (a code host's zipball) is otherwise stored as first fetched,
 * and a proxy's login page or an empty 200 would become that artifact for good.
 */
import type { Readable } from 'node:stream'
import { LarderError } from '../errors/index.js'

export interface ArtifactFormat {
  /** Names the format in errors: "a zip archive". */
  name: string
  /** Byte sequences one of which the file holds at `offset`. */
  signatures: readonly Uint8Array[]
  offset?: number
  /**
   * Judge only answers typed text/html (a login page's type): for a file whose name may lie about its
   * bytes (a generic download named .tar.gz), while a page standing in for it is still refused.
   */
  onlyPages?: boolean
}

const bytes = (text: string) => Buffer.from(text, 'latin1')

/** Local file header, or the end record of an empty archive. */
export const ZIP_FORMAT: ArtifactFormat = { name: 'a zip archive', signatures: [bytes('PK\x03\x04'), bytes('PK\x05\x06')] }
export const GZIP_FORMAT: ArtifactFormat = { name: 'a gzip file', signatures: [bytes('\x1f\x8b')] }
export const BZIP2_FORMAT: ArtifactFormat = { name: 'a bzip2 file', signatures: [bytes('BZh')] }
export const XZ_FORMAT: ArtifactFormat = { name: 'an xz file', signatures: [bytes('\xfd7zXZ\x00')] }
/** POSIX ustar and GNU tar both write "ustar" at 257 (followed by \0 or a space). */
export const TAR_FORMAT: ArtifactFormat = { name: 'a tar archive', signatures: [bytes('ustar')], offset: 257 }

const BY_SUFFIX: ReadonlyArray<[string, ArtifactFormat]> = [
  ...['.zip', '.whl', '.egg', '.jar', '.war', '.nupkg', '.vsix'].map((suffix): [string, ArtifactFormat] => [suffix, ZIP_FORMAT]),
  ...['.gz', '.tgz'].map((suffix): [string, ArtifactFormat] => [suffix, GZIP_FORMAT]),
  ...['.bz2', '.tbz2'].map((suffix): [string, ArtifactFormat] => [suffix, BZIP2_FORMAT]),
  ...['.xz', '.txz'].map((suffix): [string, ArtifactFormat] => [suffix, XZ_FORMAT]),
  ['.tar', TAR_FORMAT],
]

/** The format a file name promises (`x.tar.gz` is gzip, `x.whl` a zip); undefined for names that promise none. */
export function formatOfFilename(filename: string): ArtifactFormat | undefined {
  const lower = filename.toLowerCase()
  return BY_SUFFIX.find(([suffix]) => lower.endsWith(suffix))?.[1]
}

const PAGE_TYPE = /^\s*text\/html\b/i

/**
 * Reads the first bytes of `body` and puts them back; throws E_UPSTREAM_GARBAGE (the body destroyed)
 * when they are not `format`.
 */
export async function checkArtifactFormat(body: Readable, contentType: string | undefined, format: ArtifactFormat, label: string): Promise<void> {
  const page = contentType !== undefined && PAGE_TYPE.test(contentType)
  if (format.onlyPages && !page) return
  const offset = format.offset ?? 0
  const needed = offset + Math.max(...format.signatures.map((s) => s.length))
  const refuse = (what: string) => {
    body.destroy()
    return new LarderError('E_UPSTREAM_GARBAGE', `${label}: the upstream sent ${what} where ${format.name} was expected; nothing was stored`, {
      hint: 'a proxy or login page between Larder and the upstream answers in its place, or the upstream serves something else at this URL',
    })
  }
  const head = await peekBytes(body, needed)
  const matches = format.signatures.some(
    (signature) => head.length >= offset + signature.length && head.subarray(offset, offset + signature.length).equals(signature),
  )
  if (matches) return
  // The bytes decide (servers mislabel archives as text/html); the type only names what came instead.
  if (head.length === 0) throw refuse('an empty body')
  if (page) throw refuse(`a page of type ${contentType}`)
  throw refuse(`${head.length < needed ? `${head.length} bytes` : 'bytes'} that are not ${format.name}`)
}

/** Resolves with at least `length` leading bytes (fewer only when the body ends first), left unread in `body`. */
function peekBytes(body: Readable, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const cleanup = () => {
      body.off('readable', onReadable)
      body.off('end', onEnd)
      body.off('error', onError)
    }
    const onEnd = () => {
      cleanup()
      resolve(Buffer.concat(chunks))
    }
    const onError = (error: Error) => {
      cleanup()
      reject(error)
    }
    const onReadable = () => {
      for (let chunk: Buffer | null; size < length && (chunk = body.read() as Buffer | null) !== null; ) {
        chunks.push(chunk)
        size += chunk.length
      }
      if (size < length) return
      cleanup()
      const head = Buffer.concat(chunks)
      body.unshift(head)
      resolve(head)
    }
    body.on('readable', onReadable)
    body.once('end', onEnd)
    body.once('error', onError)
  })
}
