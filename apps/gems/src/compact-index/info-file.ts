/** Reads and writes /info/<gem> bodies: `version[-platform] dep:req&req,...|checksum:<sha256>,ruby:...,rubygems:...`. */
import { createHash } from 'node:crypto'

export interface InfoVersion {
  /** `1.0.0` or `1.0.0-x86_64-linux`, as the .gem file name ends. */
  number: string
  /** sha256 hex of the .gem, when listed. */
  checksum: string | undefined
}

export interface InfoLineInput {
  version: string
  platform: string
  dependencies: { name: string; requirements: string[] }[]
  requiredRubyVersion: string[]
  requiredRubygemsVersion: string[]
  sha256: string
}

export const md5Hex = (body: Uint8Array | string) => createHash('md5').update(body).digest('hex')

/** The versions an /info body lists; malformed lines are skipped, as bundler itself skips them. */
export function parseInfo(body: string): Map<string, InfoVersion> {
  const out = new Map<string, InfoVersion>()
  for (const line of body.split('\n')) {
    if (line === '' || line === '---') continue
    const space = line.indexOf(' ')
    if (space <= 0) continue
    const number = line.slice(0, space)
    const bar = line.indexOf('|', space)
    const requirements = bar < 0 ? '' : line.slice(bar + 1)
    const checksum = /(?:^|,)checksum:([0-9a-fA-F]{64})(?:,|$)/.exec(requirements)?.[1]?.toLowerCase()
    out.set(number, { number, checksum })
  }
  return out
}

function requirementText(requirements: string[]): string {
  return [...requirements].sort().join('&')
}

const isTrivial = (requirements: string[]) => requirements.length === 0 || (requirements.length === 1 && requirements[0] === '>= 0')

/** One line as rubygems.org's compact_index writes it (note the space even when there are no dependencies). */
export function renderInfoLine(input: InfoLineInput): string {
  const deps = input.dependencies.map((dep) => `${dep.name}:${requirementText(dep.requirements)}`)
  const number = input.platform === 'ruby' ? input.version : `${input.version}-${input.platform}`
  let line = `${number} ${deps.join(',')}|checksum:${input.sha256}`
  if (!isTrivial(input.requiredRubyVersion)) line += `,ruby:${requirementText(input.requiredRubyVersion)}`
  if (!isTrivial(input.requiredRubygemsVersion)) line += `,rubygems:${requirementText(input.requiredRubygemsVersion)}`
  return line
}

export function renderInfo(lines: string[]): string {
  return `---\n${lines.map((line) => `${line}\n`).join('')}`
}
