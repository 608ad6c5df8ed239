/** Derives the abbreviated ("corgi") packument npm install asks for from the full one. */

// The fields npm's registry keeps in application/vnd.npm.install-v1+json (registry docs, package-metadata.md).
const VERSION_FIELDS = [
  'name',
  'version',
  'deprecated',
  'dependencies',
  'optionalDependencies',
  'devDependencies',
  'bundleDependencies',
  'bundledDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'acceptDependencies',
  'bin',
  'directories',
  'engines',
  'cpu',
  'os',
  'libc',
  'funding',
  'license',
  '_hasShrinkwrap',
  'hasInstallScript',
  'dist',
] as const

type Json = Record<string, unknown>

export function abbreviatePackument(full: Json): Json {
  const versions = Object.create(null) as Json
  for (const [version, manifest] of Object.entries((full.versions ?? {}) as Record<string, Json>)) {
    if (typeof manifest !== 'object' || manifest === null) continue
    const short: Json = {}
    for (const field of VERSION_FIELDS) if (manifest[field] !== undefined) short[field] = manifest[field]
    // The full form only says "has an install script" through scripts; npm needs the flag to run them.
    // Any JSON may stand where an object belongs: one odd version must not cost the package its document.
    const scripts = typeof manifest.scripts === 'object' && manifest.scripts !== null ? (manifest.scripts as Json) : undefined
    if (short.hasInstallScript === undefined && scripts && ['preinstall', 'install', 'postinstall'].some((s) => Object.hasOwn(scripts, s))) {
      short.hasInstallScript = true
    }
    versions[version] = short
  }
  const time = full.time as Json | undefined
  const abbreviated: Json = {
    name: full.name,
    'dist-tags': full['dist-tags'] ?? {},
    versions,
    modified: (time?.modified as string | undefined) ?? new Date(0).toISOString(),
  }
  // pnpm's time-based resolution reads publish times from the abbreviated document too.
  if (time) abbreviated.time = time
  return abbreviated
}
