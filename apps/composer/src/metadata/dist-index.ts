/** Where each version's dist lives, by the reference segment Composer puts in mirror URLs. */
import { createHash } from 'node:crypto'
import type { ComposerVersion } from './minified.js'

export interface DistRecord {
  version: string
  versionNormalized?: string
  url: string
  type: string
  reference: string
  /** sha1 of the archive, when the metadata gives one (code hosts' zipballs usually have none). */
  shasum?: string
}

/** reference segment -> the dists with that reference. */
export type DistIndex = Record<string, DistRecord[]>

const md5 = (text: string) => createHash('md5').update(text).digest('hex')

/** As ComposerMirror::processUrl: a hex reference as is, anything else md5()ed. */
export function referenceSegment(reference: string): string {
  return /^[a-f0-9]*$/.test(reference) ? reference : md5(reference)
}

/** As ComposerMirror::processUrl: a version containing "/" is md5()ed. */
export function versionSegment(version: string): string {
  return version.includes('/') ? md5(version) : version
}

export function buildDistIndex(versions: readonly ComposerVersion[]): DistIndex {
  const index: DistIndex = {}
  for (const v of versions) {
    const dist = v.dist as Record<string, unknown> | undefined
    if (!dist || typeof dist.url !== 'string' || typeof dist.type !== 'string' || typeof v.version !== 'string') continue
    const reference = typeof dist.reference === 'string' ? dist.reference : ''
    const record: DistRecord = {
      version: v.version,
      url: dist.url,
      type: dist.type,
      reference,
      ...(typeof v.version_normalized === 'string' ? { versionNormalized: v.version_normalized } : {}),
      ...(typeof dist.shasum === 'string' && /^[a-f0-9]{40}$/i.test(dist.shasum) ? { shasum: dist.shasum.toLowerCase() } : {}),
    }
    ;(index[referenceSegment(reference)] ??= []).push(record)
  }
  return index
}

/**
 * The dist a mirror URL names. The version must match when one record has it; a reference alone
 * still identifies the bytes (Composer normalizes versions itself when metadata lacks version_normalized).
 */
export function findDist(index: DistIndex, versionSeg: string, referenceSeg: string, type: string): DistRecord | undefined {
  const candidates = (index[referenceSeg] ?? []).filter((r) => r.type === type)
  const matchesVersion = (r: DistRecord) => [r.versionNormalized, r.version].some((v) => v !== undefined && versionSegment(v) === versionSeg)
  return candidates.find(matchesVersion) ?? (referenceSeg === '' ? undefined : candidates[0])
}
