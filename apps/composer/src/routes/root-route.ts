/** GET /packages.json: a v2 repository root whose metadata and dist mirror URLs point back at Larder. */
import type { ComposerContext, ComposerRouteContext } from './composer-context.js'
import { appBase } from './composer-context.js'

export const ROOT_CACHE_CONTROL = 'max-age=60, public'

export async function getRoot(c: ComposerRouteContext, composer: ComposerContext): Promise<Response> {
  const base = appBase(c, composer)
  // Paths, not URLs: Composer resolves them against the repository URL the user configured.
  const path = new URL(base).pathname
  const facts = await composer.root.facts()
  const privateNames: string[] = []
  for await (const name of composer.privateRepo.names()) privateNames.push(name)
  const listed = facts.availablePackages !== undefined || facts.availablePatterns !== undefined
  const root: Record<string, unknown> = {
    packages: [],
    'metadata-url': `${path}/p2/%package%.json`,
    // Downloads go through Larder while composer.lock keeps the canonical dist URLs (see README).
    mirrors: [{ 'dist-url': `${path}/dists/%package%/%version%/%reference%.%type%`, preferred: true }],
    'security-advisories': { metadata: false, 'api-url': `${base}/api/security-advisories/` },
  }
  // A list is only advertised when the upstream's set is known: otherwise clients would skip names Larder could fetch.
  if (listed) {
    root['available-packages'] = [...new Set([...(facts.availablePackages ?? []), ...privateNames])].sort()
    if (facts.availablePatterns) root['available-package-patterns'] = facts.availablePatterns
  }
  c.set('cacheResult', 'HIT')
  return c.json(root, 200, { 'cache-control': ROOT_CACHE_CONTROL })
}
