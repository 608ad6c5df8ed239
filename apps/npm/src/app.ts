/** The npm registry mirror: a lazy mirror of an upstream registry plus private packages, declared for the server to mount. */
import { defineMirror, mountMirror, readRoute, writeAction, type LarderEnv, type LarderServices, type MirrorRoute } from '@larder/core'
import type { Hono } from 'hono'
import { parseNpmPath, type NpmPath } from './names/npm-path.js'
import { TarballGuesses } from './routes/tarball-guesses.js'
import { PackumentSource } from './packument/packument-source.js'
import { reservedBy } from './private/private-names.js'
import { PrivateRegistry } from './private/private-registry.js'
import type { NpmContext, NpmRouteContext } from './routes/npm-context.js'
import { getPackument, getVersion } from './routes/packument-routes.js'
import { deletePackage, deleteTarball, putPackage, putRevision } from './routes/publish-routes.js'
import { isLoginRequest, login, specialRoutes } from './routes/special-routes.js'
import { getTarball } from './routes/tarball-route.js'
import { readNpmSettings, type NpmSettings } from './settings/npm-settings.js'

export const DEFAULT_NPM_PREFIX = '/npm'

export const npmMirror = defineMirror<NpmSettings>({
  name: 'npm',
  prefix: DEFAULT_NPM_PREFIX,
  settings: readNpmSettings,
  create(services, settings) {
    const privateRegistry = new PrivateRegistry(services.store, reservedBy(settings.privateScopes, settings.privateNames), {
      events: services.events,
      leases: services.leases,
    })
    const npm: NpmContext = {
      services,
      settings,
      prefix: DEFAULT_NPM_PREFIX,
      privateRegistry,
      packuments: new PackumentSource(services, privateRegistry, settings.upstream),
      tarballGuesses: new TarballGuesses(),
    }
    return {
      // Login is how a client gets a token, so it cannot need one to read.
      open: (c, rawPath) => (isLoginRequest(c.req.method, rawPath) ? login(c, npm) : undefined),
      route: (c, rawPath) => routeFor(c, npm, parseNpmPath(rawPath)),
    }
  },
})

/** The npm mirror alone, mounted at /npm (tests; processes use launch). */
export function createApp(options: { services: LarderServices; settings?: NpmSettings }): Hono<LarderEnv> {
  return mountMirror(npmMirror, options.services, options.settings).app
}

/** What each method does on a path: reads and writes are told apart here, not by method. */
function routeFor(c: NpmRouteContext, npm: NpmContext, path: NpmPath): MirrorRoute {
  const what = `npm ${path.kind} URLs`
  switch (path.kind) {
    case 'root':
      return { what, methods: readRoute(() => c.json({ db_name: 'larder-npm', doc_count: 0 })) }
    case 'special':
      return { what, methods: specialRoutes(c, npm, path.segments) }
    case 'packument':
      return { what, methods: { ...readRoute(() => getPackument(c, npm, path.name)), PUT: writeAction(() => putPackage(c, npm, path.name)) } }
    case 'version':
      return { what, methods: readRoute(() => getVersion(c, npm, path.name, path.spec)) }
    case 'tarball':
      if (path.rev) return { what, methods: { DELETE: writeAction(() => deleteTarball(c, npm, path.name, path.filename)) } }
      return { what, methods: readRoute(() => getTarball(c, npm, path.name, path.filename)) }
    case 'revision':
      return {
        what,
        methods: { PUT: writeAction(() => putRevision(c, npm, path.name, path.rev)), DELETE: writeAction(() => deletePackage(c, npm, path.name, path.rev)) },
      }
  }
}
