/** Which keys of an uploaded composer.json are published in p2: an allowlist of package-level fields from Composer's schema. */

/**
 * Package-level fields of https://getcomposer.org/doc/04-schema.md that a client uses when it installs a
 * dependency. Left out on purpose: root-only keys (`repositories`, `config`, `scripts` — Composer never
 * runs a dependency's scripts —, `minimum-stability`, `prefer-stable`, `archive`), anything that would make
 * clients contact another host (`notification-url`, `source`, `dist`: Larder sets `dist` itself), and
 * keys Larder computes (`name`, `version`, `version_normalized`, `time`). Unknown keys are dropped too.
 */
export const PUBLISHED_FIELDS: readonly string[] = [
  'description',
  'type',
  'keywords',
  'homepage',
  'readme',
  'license',
  'authors',
  'support',
  'funding',
  'require',
  'require-dev',
  'conflict',
  'replace',
  'provide',
  'suggest',
  'autoload',
  'autoload-dev',
  'include-path',
  'target-dir',
  'bin',
  'extra',
  'abandoned',
  'php-ext',
]

/** The allowlisted fields of an uploaded composer.json, in its own order. */
export function publishedFields(composerJson: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(composerJson).filter(([key]) => PUBLISHED_FIELDS.includes(key)))
}
