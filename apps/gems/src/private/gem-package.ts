/** Opens a pushed .gem (a plain tar of metadata.gz, data.tar.gz and checksums.yaml.gz), checks it is whole and that nothing in it unpacks outside the gem. */
import { gunzipSync } from 'node:zlib'
import {
  LarderError,
  StreamingDigest,
  UnsafeArchiveEntryError,
  isLarderError,
  parseLimitedYaml,
  plainTarStream,
  readSafeTar,
  type DigestResult,
} from '@larder/core'
import { MAX_GEMSPEC_BYTES, parseGemspecYaml, type GemSpecFacts } from './gemspec.js'

/** Small members read into memory; data.tar.gz (the whole gem, near enough) is streamed instead. */
const MEMBERS = ['metadata.gz', 'checksums.yaml.gz']
/** `gem build` writes a few hundred bytes; this is room to spare, and the most gunzip may produce. */
const MAX_CHECKSUMS_BYTES = 64 * 1024
/** The sections of checksums.yaml and the digests they hold; RubyGems checks each one it finds. */
const CHECKSUM_SECTIONS = { SHA256: 'sha256', SHA512: 'sha512' } as const

export interface GemPackage {
  spec: GemSpecFacts
}

type MemberDigests = DigestResult['digests']

function malformed(message: string, cause?: unknown): LarderError {
  return new LarderError('E_BAD_REQUEST', `the pushed file is not a valid .gem: ${message}`, { cause, hint: 'push a file made by `gem build`' })
}

/** `gem`: the .gem's bytes, or a stream of them (a spooled push): the gem is read once, as it streams. */
export async function readGemPackage(gem: Buffer | AsyncIterable<Buffer>): Promise<GemPackage> {
  let data: MemberDigests | undefined
  let dataFailure: unknown
  // What `gem install` unpacks into the gem's folder: streamed, each entry checked, hashed for checksums.yaml, nothing kept.
  const walkData = async (body: AsyncIterable<Buffer>) => {
    const digest = new StreamingDigest({ sha512: '' })
    await readSafeTar(plainTarStream(hashed(body, digest)), { label: `the pushed gem's data.tar.gz` }).catch((cause: unknown) => {
      throw (dataFailure = cause)
    })
    data = digest.digest().digests
  }
  const members = await readSafeTar(gem, {
    label: 'the pushed gem',
    read: (entry) => MEMBERS.includes(entry.path),
    maxReadBytes: MAX_GEMSPEC_BYTES,
    stream: (entry) => (entry.path === 'data.tar.gz' ? walkData : undefined),
  }).catch((cause: unknown) => {
    // Unsafe entries, limits and data.tar.gz keep their own message; what is left is a file that is no tar.
    if (cause === dataFailure || cause instanceof UnsafeArchiveEntryError || (isLarderError(cause) && cause.code !== 'E_BAD_REQUEST')) throw cause
    throw malformed('it is not a readable tar', cause)
  })
  const metadata = members.get('metadata.gz')
  if (!metadata || !data) throw malformed('it lacks metadata.gz or data.tar.gz')
  checkChecksums(members.get('checksums.yaml.gz'), { 'metadata.gz': digestsOf(metadata), 'data.tar.gz': data })
  let yaml: string
  try {
    yaml = gunzipSync(metadata, { maxOutputLength: MAX_GEMSPEC_BYTES }).toString('utf8')
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new LarderError('E_TOO_LARGE', `the gem's metadata unpacks to more than the limit of ${MAX_GEMSPEC_BYTES} bytes`, { cause })
    }
    throw malformed('metadata.gz does not gunzip', cause)
  }
  return { spec: parseGemspecYaml(yaml) }
}

async function* hashed(body: AsyncIterable<Buffer>, digest: StreamingDigest): AsyncIterable<Buffer> {
  for await (const chunk of body) {
    digest.update(chunk)
    yield chunk
  }
}

function digestsOf(bytes: Buffer): MemberDigests {
  const digest = new StreamingDigest({ sha512: '' })
  digest.update(bytes)
  return digest.digest().digests
}

/**
 * checksums.yaml maps SHA256 and SHA512 to the digests of the other two members. `gem install`
 * refuses a gem whose listing does not match (or does not parse), so a push of one is refused here.
 */
function checkChecksums(gz: Buffer | undefined, members: Record<string, MemberDigests>): void {
  if (!gz) return
  let listing: unknown
  try {
    const text = gunzipSync(gz, { maxOutputLength: MAX_CHECKSUMS_BYTES }).toString('utf8')
    // failsafe: every digest stays a string, even one that happens to be all digits.
    listing = parseLimitedYaml(text, { label: 'checksums.yaml', maxBytes: MAX_CHECKSUMS_BYTES, schema: 'failsafe' })
  } catch (cause) {
    throw malformed(isLarderError(cause) ? cause.message : 'checksums.yaml.gz does not gunzip', cause)
  }
  for (const [section, algorithm] of Object.entries(CHECKSUM_SECTIONS)) {
    const listed = isRecord(listing) ? listing[section] : undefined
    if (!isRecord(listed)) continue
    for (const [file, digests] of Object.entries(members)) {
      const digest = listed[file]
      if (typeof digest === 'string' && digest !== digests[algorithm]) {
        throw malformed(`${file} does not match its ${section} in checksums.yaml`)
      }
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
