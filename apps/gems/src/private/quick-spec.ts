/** The /quick/Marshal.4.8/<name>-<version>.gemspec.rz body of a pushed gem: a deflated Marshal of its Gem::Specification. */
import { deflateSync } from 'node:zlib'
import type { GemSpecFacts } from './gemspec.js'
import { RubyHash, RubyObject, RubySymbol, RubyUserDefined, RubyUserMarshal, marshalDump, type RubyValue } from './ruby-marshal.js'

const version = (number: string) => new RubyUserMarshal('Gem::Version', [number])

/** `['~> 1.0']` -> Gem::Requirement [[['~>', Gem::Version('1.0')]]]; none means `>= 0`, as Ruby writes it. */
function requirement(requirements: string[]): RubyUserMarshal {
  const pairs = (requirements.length > 0 ? requirements : ['>= 0']).map((text) => {
    const [op, number] = text.split(' ')
    return [op!, version(number!)]
  })
  return new RubyUserMarshal('Gem::Requirement', [pairs])
}

/**
 * Gem::Specification#_dump's field order (rubygems 3.x): Gem::Specification._load reads it back
 * by position, so the order is the contract. Slot 10 was rubyforge_project, slot 15 has_rdoc.
 */
export function quickSpecBody(spec: GemSpecFacts): Buffer {
  const fields: RubyValue[] = [
    spec.rubygemsVersion,
    spec.specificationVersion,
    spec.name,
    version(spec.version),
    spec.date,
    spec.summary,
    requirement(spec.requiredRubyVersion),
    requirement(spec.requiredRubygemsVersion),
    spec.platform,
    spec.dependencies.map(
      (dep) =>
        new RubyObject('Gem::Dependency', [
          ['@name', dep.name],
          ['@requirement', requirement(dep.requirements)],
          ['@type', new RubySymbol(dep.type)],
          ['@prerelease', false],
        ]),
    ),
    '',
    spec.email ?? null,
    spec.authors,
    spec.description ?? null,
    spec.homepage ?? null,
    true,
    spec.platform,
    spec.licenses,
    new RubyHash(Object.entries(spec.metadata)),
  ]
  const dumped = marshalDump(new RubyUserDefined('Gem::Specification', marshalDump(fields)))
  return deflateSync(dumped)
}
