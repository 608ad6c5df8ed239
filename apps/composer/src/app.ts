/** The Composer mirror: a v2 repository mirroring an upstream (packagist by default) plus uploaded private packages, declared for the server to mount. */
import { LarderError, defineMirror, mountMirror, readAction, readRoute, writeAction, type LarderEnv, type LarderServices, type MirrorRoute } from '@larder/core'
import type { Hono } from 'hono'
import { P2Source } from './metadata/p2-source.js'
import { UpstreamRoot } from './metadata/upstream-root.js'
import { parseComposerPath, type ComposerPath } from './names/composer-path.js'
import { PrivateRepo } from './private/private-repo.js'
import { advisories } from './routes/advisories-route.js'
import type { ComposerContext, ComposerRouteContext } from './routes/composer-context.js'
import { getDist } from './routes/dist-route.js'
import { getP2 } from './routes/p2-route.js'
import { getRoot } from './routes/root-route.js'
import { putUpload } from './routes/upload-route.js'
import { readComposerSettings, type ComposerSettings } from './settings/composer-settings.js'

export const DEFAULT_COMPOSER_PREFIX = '/composer'

export const composerMirror = defineMirror<ComposerSettings>({
  name: 'composer',
  prefix: DEFAULT_COMPOSER_PREFIX,
  settings: readComposerSettings,
  create(services, settings) {
    const root = new UpstreamRoot(services, settings.upstream)
    const composer: ComposerContext = {
      services,
      settings,
      prefix: DEFAULT_COMPOSER_PREFIX,
      root,
      p2: new P2Source(services, root),
      privateRepo: new PrivateRepo(services.store, (name) => settings.privateNames.has(name), { events: services.events, leases: services.leases }),
    }
    return {
      route: (c, rawPath) => routeFor(c, composer, parseComposerPath(rawPath)),
      clientPaths: '/packages.json',
    }
  },
})

/** The Composer mirror alone, mounted at /composer (tests; processes use launch). */
export function createApp(options: { services: LarderServices; settings?: ComposerSettings }): Hono<LarderEnv> {
  return mountMirror(composerMirror, options.services, options.settings).app
}

/** What each method does on a path: reads and writes are told apart here, not by method. */
function routeFor(c: ComposerRouteContext, composer: ComposerContext, path: ComposerPath): MirrorRoute {
  const what = `the Composer ${path.kind} URL`
  switch (path.kind) {
    case 'root':
      return { what, methods: readRoute(() => getRoot(c, composer)) }
    case 'p2':
      return { what, methods: readRoute(() => getP2(c, composer, path.name, path.dev)) }
    case 'dist':
      return { what, methods: readRoute(() => getDist(c, composer, path)) }
    case 'upload':
      return { what, methods: { PUT: writeAction(() => putUpload(c, composer)), POST: writeAction(() => putUpload(c, composer)) } }
    case 'advisories':
      // composer audit POSTs its query (packagist also answers GET): a read either way.
      return { what, methods: { ...readRoute(() => advisories(c, composer)), POST: readAction(() => advisories(c, composer)) } }
    case 'unknown':
      throw new LarderError('E_NOT_FOUND', `no such Composer endpoint: ${new URL(c.req.url).pathname}`)
  }
}
