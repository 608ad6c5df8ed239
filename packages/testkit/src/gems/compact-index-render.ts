/** Renders compact index documents (/versions, /info/<gem>, /names) the way rubygems.org's compact_index gem does. */
import { createHash } from 'node:crypto'
import type { BuiltGem } from './gem-build.js'

export const FIXTURE_VERSIONS_CREATED_AT = 'created_at: 2024-01-01T00:00:00Z'

export const md5Hex = (body: string | Buffer) => createHash('md5').update(body).digest('hex')

/** `1.0.0 dep:~> 1.0&>= 1.0.1|checksum:<sha256>,ruby:>= 2.7` */
export function infoLine(gem: BuiltGem): string {
  const deps = Object.entries(gem.dependencies).map(([name, requirements]) => `${name}:${[...requirements].sort().join('&')}`)
  const platform = gem.platform === 'ruby' ? '' : `-${gem.platform}`
  let line = `${gem.version}${platform} ${deps.join(',')}|checksum:${gem.sha256}`
  if (gem.requiredRubyVersion && gem.requiredRubyVersion !== '>= 0') line += `,ruby:${gem.requiredRubyVersion}`
  return line
}

/** /info/<name>: every version in the order it was published. */
export function infoBody(gems: readonly BuiltGem[]): string {
  return `---\n${gems.map((gem) => `${infoLine(gem)}\n`).join('')}`
}

const versionNumber = (gem: BuiltGem) => (gem.platform === 'ruby' ? gem.version : `${gem.version}-${gem.platform}`)

/** /versions as created: one line per gem naming every version and the MD5 of its /info body. */
export function versionsBody(byName: ReadonlyMap<string, readonly BuiltGem[]>): string {
  const lines = [...byName.keys()].sort().map((name) => versionsLine(name, byName.get(name)!, byName.get(name)!))
  return `${FIXTURE_VERSIONS_CREATED_AT}\n---\n${lines.join('')}`
}

/**
 * The line rubygems.org appends for a release: the new versions and the MD5 of the gem's whole /info
 * (`all`) after it. The file only grows; the md5 on a gem's last line is the current one.
 */
export function versionsLine(name: string, added: readonly BuiltGem[], all: readonly BuiltGem[]): string {
  return `${name} ${added.map(versionNumber).join(',')} ${md5Hex(infoBody(all))}\n`
}

export function namesBody(names: Iterable<string>): string {
  return `---\n${[...names]
    .sort()
    .map((name) => `${name}\n`)
    .join('')}`
}
