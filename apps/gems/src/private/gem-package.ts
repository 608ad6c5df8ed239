/** Opens a pushed .gem (a plain tar of metadata.gz, data.tar.gz and checksums.yaml.gz), checks it is whole and that nothing in it unpacks outside the gem. */
import { createHash } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { LarderError, UnsafeArchiveEntryError, isLarderError, readSafeTar } from '@larder/core'
import { MAX_GEMSPEC_BYTES, parseGemspecYaml, type GemSpecFacts } from './gemspec.js'

const MEMBERS = ['metadata.gz', 'data.tar.gz', 'checksums.yaml.gz']

export interface GemPackage {
  spec: GemSpecFacts
  sha256: string
}

function malformed(message: string, cause?: unknown): LarderError {
  return new LarderError('E_BAD_REQUEST', `the pushed file is not a valid .gem: ${message}`, { cause, hint: 'push a file made by `gem build`' })
}

export async function readGemPackage(bytes: Buffer): Promise<GemPackage> {
  const members = await readSafeTar(bytes, {
    label: 'the pushed gem',
    read: (entry) => MEMBERS.includes(entry.path),
    maxReadBytes: bytes.length,
  }).catch((cause: unknown) => {
    // Unsafe entries and limits keep their own message; what is left is a file that is no tar.
    if (cause instanceof UnsafeArchiveEntryError || (isLarderError(cause) && cause.code !== 'E_BAD_REQUEST')) throw cause
    throw malformed('it is not a readable tar', cause)
  })
  const metadata = members.get('metadata.gz')
  const data = members.get('data.tar.gz')
  if (!metadata || !data) throw malformed('it lacks metadata.gz or data.tar.gz')
  checkChecksums(members.get('checksums.yaml.gz'), { 'metadata.gz': metadata, 'data.tar.gz': data })
  let yaml: string
  try {
    yaml = gunzipSync(metadata, { maxOutputLength: MAX_GEMSPEC_BYTES }).toString('utf8')
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new LarderError('E_TOO_LARGE', `the gem's metadata unpacks to more than the limit of ${MAX_GEMSPEC_BYTES} bytes`, { cause })
    }
    throw malformed('metadata.gz does not gunzip', cause)
  }
  const spec = parseGemspecYaml(yaml)
  // What `gem install` unpacks into the gem's folder: streamed, each entry checked, nothing kept.
  await readSafeTar(data, { label: `the pushed gem's data.tar.gz` })
  return { spec, sha256: createHash('sha256').update(bytes).digest('hex') }
}

/** checksums.yaml lists SHA256 (and SHA512) of the other two members: a mismatch means a damaged upload. */
function checkChecksums(gz: Buffer | undefined, members: Record<string, Buffer>): void {
  if (!gz) return
  let text: string
  try {
    text = gunzipSync(gz, { maxOutputLength: 64 * 1024 }).toString('utf8')
  } catch (cause) {
    throw malformed('checksums.yaml.gz does not gunzip', cause)
  }
  const section = /^SHA256:\n((?:[ \t]+.*\n?)*)/m.exec(text)?.[1] ?? ''
  for (const [file, content] of Object.entries(members)) {
    const listed = new RegExp(`^\\s+${file.replace(/\./g, '\\.')}:\\s*([0-9a-f]{64})`, 'm').exec(section)?.[1]
    if (listed && listed !== createHash('sha256').update(content).digest('hex')) throw malformed(`${file} does not match checksums.yaml`)
  }
}
