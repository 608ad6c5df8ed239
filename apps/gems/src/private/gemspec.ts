/** Reads what Larder needs from a gem's metadata.gz: the YAML Gem::Specification that `gem build` writes. */
import { LarderError, parseLimitedYaml } from '@larder/core'
import { GEM_NAME_PATTERN } from '../names/gem-path.js'

export interface GemDependency {
  name: string
  /** `['~> 1.0', '>= 1.0.1']` */
  requirements: string[]
  type: 'runtime' | 'development'
}

export interface GemSpecFacts {
  name: string
  version: string
  platform: string
  dependencies: GemDependency[]
  requiredRubyVersion: string[]
  requiredRubygemsVersion: string[]
  summary: string
  description: string | undefined
  authors: string[]
  email: string | string[] | undefined
  homepage: string | undefined
  licenses: string[]
  metadata: Record<string, string>
  /** YYYY-MM-DD */
  date: string
  rubygemsVersion: string
  specificationVersion: number
}

/** Gem::Version's canonical form: `gem build` has already turned a '-' into '.pre.'. */
const VERSION_PATTERN = /^[0-9]+(?:\.[0-9A-Za-z]+)*$/
/** Aliases a gemspec may use; `gem build` writes none, and more would let a small file expand without bound. */
export const MAX_GEMSPEC_ALIASES = 100
/** What metadata.gz may unpack to (gem-package.ts stops gunzip there too). */
export const MAX_GEMSPEC_BYTES = 4 * 1024 * 1024
const PLATFORM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/
const OPERATOR_PATTERN = /^(?:=|!=|>|<|>=|<=|~>)$/

type Yaml = Record<string, any>

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)
const list = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [])

function bad(message: string): never {
  throw new LarderError('E_BAD_REQUEST', `the gem's metadata ${message}`, { hint: 'build the gem with `gem build`' })
}

/** `requirements: [[">=", {version: "0"}]]` -> `[">= 0"]` */
function requirementsOf(requirement: unknown, field: string): string[] {
  const pairs = (requirement as Yaml | undefined)?.requirements
  if (!Array.isArray(pairs)) return []
  return pairs.map((pair) => {
    const [op, version] = Array.isArray(pair) ? pair : []
    const number = typeof version === 'object' && version ? version.version : undefined
    if (typeof op !== 'string' || !OPERATOR_PATTERN.test(op) || typeof number !== 'string' || !VERSION_PATTERN.test(number)) {
      bad(`has an unreadable requirement in ${field}`)
    }
    return `${op} ${number}`
  })
}

/**
 * Parses with the failsafe schema: every scalar stays a string, so versions like 1.10 never turn
 * into numbers; Ruby's !ruby/object tags are left unresolved and read as plain maps.
 */
export function parseGemspecYaml(source: string): GemSpecFacts {
  // Size, nesting and aliases are limited before anything is built from the text.
  const spec = parseLimitedYaml(source, {
    label: "the gem's metadata",
    maxBytes: MAX_GEMSPEC_BYTES,
    maxAliasCount: MAX_GEMSPEC_ALIASES,
    schema: 'failsafe',
  }) as Yaml | null
  if (!spec || typeof spec !== 'object') bad('is not a Gem::Specification')
  const name = text(spec.name)
  const version = text(spec.version?.version)
  if (spec.name === undefined) bad('names no gem (no name: is it a Gem::Specification?)')
  if (!name || !GEM_NAME_PATTERN.test(name)) bad(`names an invalid gem ${JSON.stringify(String(spec.name).slice(0, 80))}`)
  if (version?.includes('-')) {
    bad(
      `has version "${version.slice(0, 40)}" with a '-': RubyGems reads it as a prerelease ('-' becomes '.pre.') and a platform belongs in the platform field`,
    )
  }
  if (!version || !VERSION_PATTERN.test(version)) bad(`has an invalid version "${String(spec.version?.version).slice(0, 40)}"`)
  const platform = text(spec.platform) ?? 'ruby'
  if (!PLATFORM_PATTERN.test(platform)) bad(`has an invalid platform "${platform.slice(0, 40)}"`)
  const dependencies = (Array.isArray(spec.dependencies) ? spec.dependencies : []).map((dep: Yaml): GemDependency => {
    const depName = text(dep?.name)
    if (!depName || !GEM_NAME_PATTERN.test(depName)) bad('has a dependency with an invalid name')
    const requirements = requirementsOf(dep.requirement ?? dep.version_requirements, `the dependency on ${depName}`)
    return { name: depName, requirements, type: dep.type === ':development' ? 'development' : 'runtime' }
  })
  const metadata: Record<string, string> = {}
  for (const [key, value] of Object.entries((spec.metadata as Yaml | undefined) ?? {})) if (typeof value === 'string') metadata[key] = value
  return {
    name,
    version,
    platform,
    dependencies,
    requiredRubyVersion: requirementsOf(spec.required_ruby_version, 'required_ruby_version'),
    requiredRubygemsVersion: requirementsOf(spec.required_rubygems_version, 'required_rubygems_version'),
    summary: text(spec.summary) ?? '',
    description: text(spec.description),
    authors: list(spec.authors),
    email: Array.isArray(spec.email) ? list(spec.email) : text(spec.email),
    homepage: text(spec.homepage),
    licenses: list(spec.licenses),
    metadata,
    date: /^\d{4}-\d{2}-\d{2}/.exec(text(spec.date) ?? '')?.[0] ?? '1980-01-02',
    rubygemsVersion: text(spec.rubygems_version) ?? '3.0.0',
    specificationVersion: Number(text(spec.specification_version) ?? '4') || 4,
  }
}
