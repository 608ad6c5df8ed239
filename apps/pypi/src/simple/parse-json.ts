/** Reads a PEP 691 JSON project page (API 1.x), with PEP 592, 658/714 and 700 fields. */
import { LarderError } from '@larder/core'
import { isSafeFilename } from '../names/dist-filename.js'
import { cleanHashes, parseSerial, type PageFile, type ProjectPage } from './project-page.js'

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

export function checkApiVersion(meta: unknown, label: string): void {
  const version = isObject(meta) ? meta['api-version'] : undefined
  if (typeof version !== 'string' || !/^1\.\d+$/.test(version)) {
    throw new LarderError('E_UPSTREAM_GARBAGE', `${label}: unsupported simple API version ${String(version)}`)
  }
}

function coreMetadataOf(file: Json): Record<string, string> | true | undefined {
  const value = file['core-metadata'] ?? file['dist-info-metadata'] ?? file['data-dist-info-metadata']
  if (value === true) return true
  if (!isObject(value)) return undefined
  const hashes = cleanHashes(value)
  return Object.keys(hashes).length > 0 ? hashes : true
}

export function parseJsonPage(doc: unknown, pageUrl: string, label: string): Omit<ProjectPage, 'name'> {
  if (!isObject(doc) || !Array.isArray(doc.files)) throw new LarderError('E_UPSTREAM_GARBAGE', `${label}: not a PEP 691 project page`)
  checkApiVersion(doc.meta, label)
  const files: PageFile[] = []
  for (const file of doc.files) {
    if (!isObject(file) || typeof file.filename !== 'string' || typeof file.url !== 'string') continue
    if (!isSafeFilename(file.filename)) continue
    let url: URL
    try {
      url = new URL(file.url, pageUrl)
    } catch {
      continue
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue
    // A `#sha256=` fragment counts as pip counts it, beside (never over) the hashes the JSON lists.
    const fragment = url.hash.slice(1)
    const eq = fragment.indexOf('=')
    const fromFragment = eq > 0 ? cleanHashes({ [fragment.slice(0, eq)]: fragment.slice(eq + 1) }) : {}
    url.hash = ''
    // PEP 691 allows only true or a reason; pip takes any string, the empty one too, as yanked.
    const yanked = file.yanked === true ? true : typeof file.yanked === 'string' ? file.yanked || true : false
    const coreMetadata = coreMetadataOf(file)
    const requiresPython = file['requires-python']
    const size = file.size
    const uploadTime = file['upload-time']
    files.push({
      filename: file.filename,
      url: url.href,
      hashes: { ...fromFragment, ...cleanHashes(file.hashes) },
      yanked,
      ...(typeof requiresPython === 'string' && requiresPython ? { requiresPython } : {}),
      ...(typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? { size } : {}),
      ...(typeof uploadTime === 'string' ? { uploadTime } : {}),
      ...(coreMetadata ? { coreMetadata } : {}),
    })
  }
  const versions = Array.isArray(doc.versions) ? doc.versions.filter((v): v is string => typeof v === 'string') : undefined
  const lastSerial = isObject(doc.meta) ? parseSerial(doc.meta['_last-serial']) : undefined
  return { files, ...(versions ? { versions } : {}), ...(lastSerial !== undefined ? { lastSerial } : {}) }
}
