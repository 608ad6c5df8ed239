/** Turns an upstream packument's bytes into what Larder stores: parsed, rewritten, serialised in both forms. */
import { rewritePackument } from './stored-packument.js'

/** The parts of a stored packument entry, as plain buffers a worker can hand back without copying. */
export interface ProcessedPackument {
  body: Buffer
  abbreviated: Buffer
  tarballs: Buffer
  fullOffsets: number[]
  abbreviatedOffsets: number[]
}

export function processUpstreamPackument(bytes: Buffer, name: string, documentUrl?: string): ProcessedPackument {
  const stored = rewritePackument(JSON.parse(bytes.toString('utf8')), { name, documentUrl })
  return {
    body: stored.full,
    abbreviated: stored.abbreviated,
    tarballs: Buffer.from(JSON.stringify(stored.tarballs)),
    fullOffsets: stored.fullOffsets,
    abbreviatedOffsets: stored.abbreviatedOffsets,
  }
}
