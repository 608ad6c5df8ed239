/** The form Larder stores a project page in, whatever the upstream format: files with their facts and upstream URLs. */

export interface PageFile {
  filename: string
  /** Absolute upstream URL without fragment; '' for files uploaded to Larder. */
  url: string
  /** Algorithm -> lowercase hex digest, as the upstream gave them. */
  hashes: Record<string, string>
  requiresPython?: string
  /** PEP 592: false, true, or the reason. */
  yanked: boolean | string
  size?: number
  uploadTime?: string
  /** PEP 658 as the upstream advertised it: hashes of the metadata file, or true when it gave none. */
  coreMetadata?: Record<string, string> | true
}

export interface ProjectPage {
  /** Normalized name. */
  name: string
  files: PageFile[]
  /** PEP 700 versions when the upstream listed them. */
  versions?: string[]
  /** X-PyPI-Last-Serial (or meta._last-serial) of the upstream page. */
  lastSerial?: number
}

const HEX = /^[0-9a-f]+$/

/** Keeps well-formed hex digests only, lowercased. */
export function cleanHashes(input: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (typeof input !== 'object' || input === null) return out
  for (const [name, value] of Object.entries(input)) {
    if (typeof value !== 'string') continue
    const hex = value.toLowerCase()
    if (/^[a-z0-9_]{2,20}$/i.test(name) && HEX.test(hex)) out[name.toLowerCase()] = hex
  }
  return out
}

/** The sha256 segment of a file's mirror URL: its sha256, or '-' when the upstream gave none. */
export function hashSegment(file: PageFile): string {
  return file.hashes.sha256 && /^[0-9a-f]{64}$/.test(file.hashes.sha256) ? file.hashes.sha256 : NO_SHA256_SEGMENT
}

export const NO_SHA256_SEGMENT = '-'

export function parseSerial(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : typeof value === 'number' ? value : NaN
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined
}
