/** Parses a request path under the npm prefix into what it asks for; every name in it is validated. */
import { LarderError } from '@larder/core'
import { parsePackageName, type PackageName } from './package-name.js'

export type NpmPath =
  | { kind: 'root' }
  | { kind: 'special'; segments: string[] }
  | { kind: 'packument'; name: PackageName }
  | { kind: 'version'; name: PackageName; spec: string }
  | { kind: 'tarball'; name: PackageName; filename: string; rev?: string }
  | { kind: 'revision'; name: PackageName; rev: string }

const FILENAME = /^[A-Za-z0-9~-][A-Za-z0-9._~+-]*\.tgz$/
const SPEC = /^[A-Za-z0-9~-][A-Za-z0-9._~+-]*$/

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch (cause) {
    throw new LarderError('E_BAD_REQUEST', `malformed percent-encoding in "${raw.slice(0, 80)}"`, { cause })
  }
}

/** `rawPath` is the undecoded path after the prefix, e.g. '/@scope%2fname/-/name-1.0.0.tgz'. */
export function parseNpmPath(rawPath: string): NpmPath {
  const raw = rawPath.replace(/^\/+/, '').split('/')
  if (raw.length === 1 && raw[0] === '') return { kind: 'root' }
  const segments = raw.map(decodeSegment)
  if (segments[0] === '-') return { kind: 'special', segments: segments.slice(1) }
  let nameText: string
  let rest: string[]
  if (segments[0]!.includes('/') || !segments[0]!.startsWith('@')) {
    nameText = segments[0]!
    rest = segments.slice(1)
  } else {
    nameText = `${segments[0]}/${segments[1] ?? ''}`
    rest = segments.slice(2)
  }
  const name = parsePackageName(nameText)
  if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) return { kind: 'packument', name }
  if (rest[0] === '-' && rest.length >= 2) {
    const filename = rest[1]!
    if (!FILENAME.test(filename)) throw new LarderError('E_INVALID_NAME', `invalid tarball name "${filename.slice(0, 80)}"`)
    if (rest.length === 2) return { kind: 'tarball', name, filename }
    if (rest.length === 4 && rest[2] === '-rev') return { kind: 'tarball', name, filename, rev: rest[3]! }
  }
  if (rest[0] === '-rev' && rest.length === 2) return { kind: 'revision', name, rev: rest[1]! }
  if (rest.length === 1 && SPEC.test(rest[0]!)) return { kind: 'version', name, spec: rest[0]! }
  throw new LarderError('E_NOT_FOUND', `no such npm endpoint: /${raw.join('/').slice(0, 120)}`)
}
