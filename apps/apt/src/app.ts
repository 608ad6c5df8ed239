/** The APT mirror: mirrors of Debian-style archives (one per LARDER_APT_UPSTREAMS name) plus a hosted, signed repository, declared for the server to mount. */
import {
  LarderError,
  defineMirror,
  mountMirror,
  readRoute,
  writeAction,
  type LarderEnv,
  type LarderServices,
  type MirrorHandler,
  type MirrorRoute,
  type RouteMethods,
} from '@larder/core'
import type { Hono } from 'hono'
import { missingDefaultKeyrings } from './config/keyring-config.js'
import { HostedRepo } from './hosted/hosted-repo.js'
import { FileTables } from './mirror/file-tables.js'
import { Generations } from './mirror/generations.js'
import { IndexFiles } from './mirror/index-files.js'
import { PoolIndex } from './mirror/pool-index.js'
import { ReleaseVerifier } from './mirror/release-verifier.js'
import { parseAptPath, type AptPath } from './paths/apt-path.js'
import type { AptContext, AptRouteContext } from './routes/apt-context.js'
import { getHostedByHash, getHostedIndex, getHostedPool, getHostedRelease, getKeyring, putUpload } from './routes/hosted-routes.js'
import { getMirrorByHash, getMirrorIndex, getMirrorPool, getMirrorRelease } from './routes/mirror-routes.js'
import { readAptSettings, type AptSettings } from './settings/apt-settings.js'

export const DEFAULT_APT_PREFIX = '/apt'

/** The APT mirror's handler, with its hosted repository at hand. */
export interface AptHandler extends MirrorHandler {
  readonly hosted: HostedRepo
}

export const aptMirror = defineMirror<AptSettings>({
  name: 'apt',
  prefix: DEFAULT_APT_PREFIX,
  settings: readAptSettings,
  create: createAptHandler,
})

/** Builds the mirror's context from its settings and answers its paths; says at start what is not checked. */
export function createAptHandler(services: LarderServices, settings: AptSettings): AptHandler {
  const apt = createAptContext(services, settings)
  warnAboutKeyrings(services, settings)
  return {
    hosted: apt.hosted,
    route: (c, rawPath) => routeFor(c, apt, rawPath),
    clientPaths: Object.keys(settings.upstreams).map((name) => `/${name}/`),
    // Made (or read) before listening: the first client should not wait for key generation.
    start: async () => ({ signingKey: (await apt.hosted.signer()).fingerprint }),
  }
}

export function createAptContext(services: LarderServices, settings: AptSettings): AptContext {
  return {
    services,
    settings,
    prefix: DEFAULT_APT_PREFIX,
    generations: new Generations(services, new IndexFiles(services), new ReleaseVerifier(settings)),
    poolIndex: new PoolIndex(services, new FileTables(services)),
    hosted: new HostedRepo(services, settings),
  }
}

export interface AptApp extends Hono<LarderEnv> {
  /** The hosted repository (e.g. to make the signing key). */
  readonly hosted: HostedRepo
}

/** The APT mirror alone, mounted at /apt (tests; processes use launch). */
export function createApp(options: { services: LarderServices; settings?: AptSettings }): AptApp {
  const { app, handler } = mountMirror(aptMirror, options.services, options.settings)
  // aptMirror.create is createAptHandler.
  return Object.assign(app, { hosted: (handler as AptHandler).hosted })
}

function routeFor(c: AptRouteContext, apt: AptContext, rawPath: string): MirrorRoute {
  const parsed = parseAptPath(rawPath)
  if (!parsed) throw new LarderError('E_NOT_FOUND', 'name an archive: /apt/<name>/dists/<suite>/InRelease', { hint: `archives: ${archiveNames(apt)}` })
  const { archive, path } = parsed
  const methods = archive === apt.hosted.name ? hostedRoutes(c, apt, path) : mirrorRoutes(c, apt, archive, path)
  return { what: `the APT ${path.kind} URL`, methods }
}

/** Said at start rather than at the first client's update: what is not checked, and a default keyring this machine lacks. */
function warnAboutKeyrings(services: LarderServices, settings: AptSettings): void {
  for (const archive of settings.insecureNoVerify) {
    services.logger.warn({ archive }, "LARDER_APT_INSECURE_NO_VERIFY: this archive's Release signatures are not checked")
  }
  for (const archive of missingDefaultKeyrings(settings)) {
    services.logger.warn(
      { archive, keyring: settings.keyrings[archive] },
      'the default keyring is missing: no generation is accepted until it is installed (debian-archive-keyring) or LARDER_APT_KEYRINGS names one',
    )
  }
}

const archiveNames = (apt: AptContext) => [apt.hosted.name, ...Object.keys(apt.settings.upstreams)].join(', ')

/** What each method does in the hosted repository: reads, and the upload (a write whatever the method). */
function hostedRoutes(c: AptRouteContext, apt: AptContext, path: AptPath): RouteMethods {
  switch (path.kind) {
    case 'upload': {
      const upload = writeAction(() => putUpload(c, apt, path.filename))
      return { PUT: upload, POST: upload }
    }
    case 'release':
      return readRoute(() => getHostedRelease(c, apt, path.suite, path.file))
    case 'index':
      return readRoute(() => getHostedIndex(c, apt, path.suite, path.path))
    case 'by-hash':
      return readRoute(() => getHostedByHash(c, apt, path.suite, path.algorithm, path.hash))
    case 'pool':
      return readRoute(() => getHostedPool(c, apt, path.path))
    case 'keyring':
      return readRoute(() => getKeyring(c, apt, path.format))
    default:
      throw new LarderError('E_NOT_FOUND', `no such path in the hosted repository: ${new URL(c.req.url).pathname}`)
  }
}

/** A mirrored archive only reads. */
function mirrorRoutes(c: AptRouteContext, apt: AptContext, archive: string, path: AptPath): RouteMethods {
  // hasOwn, not `in`: "constructor" is no archive.
  if (!Object.hasOwn(apt.settings.upstreams, archive)) {
    throw new LarderError('E_NOT_FOUND', `no APT archive is named "${archive}"`, {
      hint: `configure it in LARDER_APT_UPSTREAMS (name=url); archives: ${archiveNames(apt)}`,
    })
  }
  switch (path.kind) {
    case 'release':
      return readRoute(() => getMirrorRelease(c, apt, archive, path.suite, path.file))
    case 'index':
      return readRoute(() => getMirrorIndex(c, apt, archive, path.suite, path.path))
    case 'by-hash':
      return readRoute(() => getMirrorByHash(c, apt, archive, path.suite, path.dir, path.algorithm, path.hash))
    case 'pool':
      return readRoute(() => getMirrorPool(c, apt, archive, path.path))
    default:
      throw new LarderError('E_NOT_FOUND', `no such path in a mirrored archive: ${new URL(c.req.url).pathname}`)
  }
}
