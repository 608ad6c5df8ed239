/** The RubyGems mirror: a mirror of an upstream gem source (compact index, legacy specs, .gem files) plus pushed gems, declared for the server to mount. */
import {
  defineMirror,
  mountMirror,
  readRoute,
  settingsOf,
  writeAction,
  type LarderEnv,
  type LarderServices,
  type MirrorHandler,
  type MirrorRoute,
} from '@larder/core'
import type { Hono } from 'hono'
import { ServedIndex } from './compact-index/served-index.js'
import { UpstreamIndex } from './compact-index/upstream-index.js'
import { parseGemPath, type GemPath } from './names/gem-path.js'
import { PrivateGems } from './private/private-gems.js'
import { getDependencies, pushGem, yankGem } from './routes/api-routes.js'
import { getGemFile } from './routes/gem-file-route.js'
import type { GemsContext, GemsRouteContext } from './routes/gems-context.js'
import { getInfo, getNames, getVersions } from './routes/index-routes.js'
import { getLegacySpecs, getQuickSpec } from './routes/legacy-routes.js'
import { readGemsSettings, type GemsSettings } from './settings/gems-settings.js'

export const DEFAULT_GEMS_PREFIX = '/gems'

export const gemsMirror = defineMirror<GemsSettings>({
  name: 'gems',
  prefix: DEFAULT_GEMS_PREFIX,
  settings: readGemsSettings,
  create: (services, settings) => gemsHandler(createGemsContext(services, settings)),
})

/** What every route shares: the upstream and served compact indexes and the private gems, built once per mirror. */
export function createGemsContext(services: LarderServices, settings: GemsSettings): GemsContext {
  const upstream = new UpstreamIndex(services, settings.upstream)
  const privateGems = new PrivateGems(services.store, (name) => settings.privateNames.has(name), { events: services.events, leases: services.leases })
  return { services, settings, prefix: DEFAULT_GEMS_PREFIX, upstream, privateGems, index: new ServedIndex(services, upstream, privateGems) }
}

function gemsHandler(gems: GemsContext): MirrorHandler {
  return {
    route: (c, rawPath) => routeFor(c, gems, parseGemPath(rawPath)),
    clientPaths: '/',
  }
}

export interface GemsApp {
  app: Hono<LarderEnv>
  /** The compact index it serves: catchUpIdle() settles when background /info refreshes are done. */
  index: ServedIndex
}

/** The gems mirror alone, mounted at /gems (tests; processes use launch). */
export function createApp(options: { services: LarderServices; settings?: GemsSettings }): Hono<LarderEnv> {
  return createGemsApp(options).app
}

/** Like createApp, with the compact index it serves (tests wait for its background catch-up). */
export function createGemsApp(options: { services: LarderServices; settings?: GemsSettings }): GemsApp {
  const { services } = options
  const settings = options.settings ?? settingsOf(gemsMirror, services.config)
  const gems = createGemsContext(services, settings)
  const { app } = mountMirror({ ...gemsMirror, create: () => gemsHandler(gems) }, services, settings)
  return { app, index: gems.index }
}

/** What each method does on a path: reads and writes are told apart here, not by method. */
function routeFor(c: GemsRouteContext, gems: GemsContext, path: GemPath): MirrorRoute {
  const what = `the RubyGems ${path.kind} URL`
  switch (path.kind) {
    case 'root':
      return { what, methods: readRoute(() => c.text('Larder RubyGems mirror: use this URL as a gem source.\n')) }
    case 'versions':
      return { what, methods: readRoute(() => getVersions(c, gems)) }
    case 'names':
      return { what, methods: readRoute(() => getNames(c, gems)) }
    case 'info':
      return { what, methods: readRoute(() => getInfo(c, gems, path.name)) }
    case 'legacy-specs':
      return { what, methods: readRoute(() => getLegacySpecs(c, gems, path.file)) }
    case 'quick-spec':
      return { what, methods: readRoute(() => getQuickSpec(c, gems, path.stem)) }
    case 'gem':
      return { what, methods: readRoute(() => getGemFile(c, gems, path.filename)) }
    case 'dependencies':
      return { what, methods: readRoute(() => getDependencies()) }
    case 'push':
      return { what, methods: { POST: writeAction(() => pushGem(c, gems)) } }
    case 'yank':
      return { what, methods: { DELETE: writeAction(() => yankGem(c, gems)) } }
  }
}
