/** Generates hostile request paths: traversal in every encoding, NUL, CRLF, overlong UTF-8 and huge names, under every mirror prefix. */

/** Every generated path names this, so a file it created anywhere on disk can be found. */
export const FUZZ_MARKER = 'larderfuzz'

export const MIRROR_PREFIXES = [
  '/npm/',
  '/npm/-/',
  '/npm/@scope/',
  '/npm/pkg/-/',
  '/pypi/simple/',
  '/pypi/files/',
  '/pypi/',
  '/composer/p2/',
  '/composer/dists/',
  '/composer/',
  '/gems/gems/',
  '/gems/info/',
  '/gems/quick/Marshal.4.8/',
  '/gems/',
  '/apt/debian/',
  '/apt/debian/dists/',
  '/apt/debian/pool/main/',
  '/apt/larder/',
  '/v2/',
  '/v2/docker.io/library/',
  '/v2/local/team/',
  '/files/',
  '/files/team/',
]

/** One step up, spelled every way a decoder somewhere might turn into "../". */
const UP_STEPS = [
  '../',
  '..%2f',
  '..%2F',
  '%2e%2e/',
  '%2e%2e%2f',
  '%2E%2E%2F',
  '.%2e/',
  '%2e./',
  '..%5c',
  '..\\',
  '%252e%252e%252f',
  '..%252f',
  '..%c0%af',
  '%c0%ae%c0%ae/',
  '%e0%80%ae%e0%80%ae/',
  '%ef%bc%8e%ef%bc%8e%ef%bc%8f',
  '....//',
  '..;/',
  '%2f..%2f',
  '.../',
]

/** What a traversal would reach: the canary beside the data folder, system files, the store itself. */
export function traversalTargets(canaryName: string): string[] {
  return [canaryName, 'etc/passwd', `store/entries/${FUZZ_MARKER}`, `${FUZZ_MARKER}.tgz`]
}

/** Oddities that are not traversal but have broken parsers before. */
const ODD_NAMES = [
  `${FUZZ_MARKER}%00.tgz`,
  `${FUZZ_MARKER}%0d%0aSet-Cookie:%20x=1`,
  `${FUZZ_MARKER}%0a`,
  `%00${FUZZ_MARKER}`,
  `${FUZZ_MARKER}/%2e`,
  `${FUZZ_MARKER}/.`,
  `${FUZZ_MARKER}%ff%fe`,
  `${FUZZ_MARKER}%`,
  `${FUZZ_MARKER}%zz`,
  `%u002e%u002e/${FUZZ_MARKER}`,
  `${'a'.repeat(10_000)}${FUZZ_MARKER}`,
  `${'%2e'.repeat(2000)}${FUZZ_MARKER}`,
  `${'../'.repeat(300)}${FUZZ_MARKER}`,
  `C:%5cWindows%5c${FUZZ_MARKER}`,
  `%5c%5cserver%5c${FUZZ_MARKER}`,
  `/${FUZZ_MARKER}`,
  `//${FUZZ_MARKER}`,
  `${FUZZ_MARKER}?../../etc/passwd`,
  `${FUZZ_MARKER}#../../etc/passwd`,
  `@${FUZZ_MARKER}/..%2f..%2f`,
]

export function hostilePaths(canaryName: string): string[] {
  const paths = new Set<string>()
  for (const prefix of MIRROR_PREFIXES) {
    for (const step of UP_STEPS) {
      for (const depth of [1, 3, 6]) {
        for (const target of traversalTargets(canaryName)) paths.add(`${prefix}${step.repeat(depth)}${target}`)
      }
    }
    for (const odd of ODD_NAMES) paths.add(`${prefix}${odd}`)
  }
  return [...paths]
}
