/** GET/POST /api/security-advisories/: passed to the upstream's advisories API (never cached), so `composer audit` works while it is up. */
import { passThrough } from '@larder/core'
import type { ComposerContext, ComposerRouteContext } from './composer-context.js'

/** composer audit POSTs a form; packagist's API takes the same query by GET. */
const ADVISORIES_METHODS = ['GET', 'HEAD', 'POST'] as const

export async function advisories(c: ComposerRouteContext, composer: ComposerContext): Promise<Response> {
  const { services } = composer
  const facts = await composer.root.facts()
  const query = new URL(c.req.url).search
  return passThrough(c, {
    upstream: services.upstream,
    url: `${facts.advisoriesApiUrl}${query}`,
    offline: services.config.offline,
    purpose: 'composer audit',
    methods: ADVISORIES_METHODS,
  })
}
