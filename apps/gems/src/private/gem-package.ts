/** Opens a pushed .gem (a plain tar of metadata.gz, data.tar.gz and checksums.yaml.gz) and checks it is whole. */
import { createHash } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { Parser } from 'tar'
import { LarderError } from '@larder/core'
import { parseGemspecYaml, type GemSpecFacts } from './gemspec.js'

/** The gemspec YAML is small; anything bigger is not a gem we want to parse. */
export const MAX_METADATA_BYTES = 4 * 1024 * 1024

export interface GemPackage {
  spec: GemSpecFacts
  sha256: string
}

function malformed(message: string, cause?: unknown): LarderError {
  return new LarderError('E_BAD_REQUEST', `the pushed file is not a valid .gem: ${message}`, { cause, hint: 'push a file made by `gem build`' })
}

export async function readGemPackage(bytes: Buffer): Promise<GemPackage> {
  const members = new Map<string, Buffer>()
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry) => {
        const wanted = ['metadata.gz', 'data.tar.gz', 'checksums.yaml.gz'].includes(entry.path) && entry.type === 'File'
        if (!wanted) return void entry.resume()
        const chunks: Buffer[] = []
        entry.on('data', (chunk: Buffer) => chunks.push(chunk))
        entry.on('end', () => members.set(entry.path, Buffer.concat(chunks)))
      },
    })
    parser.on('error', reject)
    parser.on('end', resolve)
    parser.end(bytes)
  }).catch((cause: unknown) => {
    throw malformed('it is not a readable tar', cause)
  })
  const metadata = members.get('metadata.gz')
  const data = members.get('data.tar.gz')
  if (!metadata || !data) throw malformed('it lacks metadata.gz or data.tar.gz')
  checkChecksums(members.get('checksums.yaml.gz'), { 'metadata.gz': metadata, 'data.tar.gz': data })
  let yaml: string
  try {
    yaml = gunzipSync(metadata, { maxOutputLength: MAX_METADATA_BYTES }).toString('utf8')
  } catch (cause) {
    throw malformed('metadata.gz does not gunzip', cause)
  }
  return { spec: parseGemspecYaml(yaml), sha256: createHash('sha256').update(bytes).digest('hex') }
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
