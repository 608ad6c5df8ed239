/** Renders the hosted repository's Packages stanzas and Release file from the stored .debs' control data. */
import { createHash } from 'node:crypto'
import { renderStanza, type Stanza } from '../deb822/deb822.js'

export interface HostedDeb {
  /** The control file's fields, as uploaded. */
  control: Stanza
  package: string
  version: string
  architecture: string
  poolPath: string
  size: number
  md5: string
  sha1: string
  sha256: string
}

export interface ReleaseInput {
  suite: string
  architectures: string[]
  date: Date
  /** Index path relative to dists/<suite>/ -> bytes. */
  files: Record<string, Uint8Array>
}

/** The fields apt-ftparchive adds to a control stanza to make a Packages entry. */
export function packagesStanza(deb: HostedDeb): string {
  const stanza: Stanza = deb.control.filter(([name]) => !/^(Filename|Size|MD5sum|SHA1|SHA256|SHA512)$/i.test(name))
  const description = stanza.findIndex(([name]) => name.toLowerCase() === 'description')
  const added: Stanza = [
    ['Filename', deb.poolPath],
    ['Size', String(deb.size)],
    ['MD5sum', deb.md5],
    ['SHA1', deb.sha1],
    ['SHA256', deb.sha256],
  ]
  stanza.splice(description < 0 ? stanza.length : description, 0, ...added)
  return renderStanza(stanza)
}

/** Packages of one architecture: its own packages plus the Architecture: all ones, as Debian lists them. */
export function renderPackages(debs: HostedDeb[], architecture: string): string {
  return debs
    .filter((d) => d.architecture === architecture || d.architecture === 'all')
    .sort((a, b) => a.package.localeCompare(b.package) || a.version.localeCompare(b.version) || a.architecture.localeCompare(b.architecture))
    .map(packagesStanza)
    .join('\n')
}

/** RFC 2822 in UTC, as Debian writes Date. */
export function releaseDate(date: Date): string {
  return date.toUTCString().replace('GMT', 'UTC')
}

export function renderRelease(input: ReleaseInput): string {
  const lines = [
    'Origin: Larder',
    'Label: Larder',
    `Suite: ${input.suite}`,
    `Codename: ${input.suite}`,
    `Date: ${releaseDate(input.date)}`,
    `Architectures: ${input.architectures.join(' ')}`,
    'Components: main',
    'Description: Packages uploaded to Larder',
    // Clients fetch indexes by digest: an upload between their InRelease and Packages requests cannot mismatch.
    'Acquire-By-Hash: yes',
  ]
  const paths = Object.keys(input.files).sort()
  for (const [section, algorithm] of [
    ['MD5Sum', 'md5'],
    ['SHA256', 'sha256'],
  ] as const) {
    lines.push(`${section}:`)
    for (const path of paths) {
      const bytes = input.files[path]!
      lines.push(` ${createHash(algorithm).update(bytes).digest('hex')} ${String(bytes.length).padStart(16)} ${path}`)
    }
  }
  return `${lines.join('\n')}\n`
}
