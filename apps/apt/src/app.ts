/** The APT app: mirrors of Debian-style archives (one per LARDER_APT_UPSTREAMS name) plus a hosted, signed repository. */
import { Hono } from 'hono'
import { LarderError, errorHandler, notFoundHandler, rawPathAfter, readRoute, requestEdge, runRoute, writeAction, type LarderEnv, type LarderServices, type RouteMethods } from '@larder/core'
import { loadAptConfig, type AptConfig } from './config/apt-config.js'
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

export const DEFAULT_APT_PREFIX = '/apt'

export interface AptAppOptions {
  services: LarderServices
  prefix?: string
  /** Hosted repository settings; read from LARDER_APT_* variables when omitted. */
  apt?: AptConfig
}

export interface AptApp extends Hono<LarderEnv> {
  /** The hosted repository (e.g. to make the signing key at start). */
  readonly hosted: HostedRepo
}

export function createApp(options: AptAppOptions): AptApp {
  const { services } = options
  const prefix = options.prefix ?? DEFAULT_APT_PREFIX
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(prefix)) throw new LarderError('E_INVALID_OPTION', `prefix must look like /apt, got "${prefix}"`)
  const config = options.apt ?? loadAptConfig(services.config)
  const tables = new FileTables(services)
  const hosted = new HostedRepo(services, config)
  const apt: AptContext = {
    services,
    prefix,
    upstreams: services.config.upstreams.apt,
    generations: new Generations(services, new IndexFiles(services), new ReleaseVerifier(config)),
    poolIndex: new PoolIndex(services, tables),
    hosted,
  }
  warnAboutKeyrings(services, config)
  const edge = { app: 'apt', logger: services.logger, metrics: services.metrics, via: services.via }
  const app = new Hono<LarderEnv>()
  app.use(`${prefix}/*`, requestEdge(edge))
  app.onError(errorHandler(edge))
  app.notFound(notFoundHandler)
  app.all(`${prefix}/*`, (c) => dispatch(c, apt))
  return Object.assign(app, { hosted })
}

async function dispatch(c: AptRouteContext, apt: AptContext): Promise<Response> {
  const authorization = c.req.header('authorization')
  // With LARDER_PROTECT_READS every request needs a token of apt before anything is parsed or fetched.
  apt.services.tokens.requireReader(authorization, 'apt')
  const parsed = parseAptPath(rawPathAfter(c.req.url, apt.prefix))
  if (!parsed) throw new LarderError('E_NOT_FOUND', 'name an archive: /apt/<name>/dists/<suite>/InRelease', { hint: `archives: ${archiveNames(apt)}` })
  const { archive, path } = parsed
  const routes = archive === apt.hosted.name ? hostedRoutes(c, apt, path) : mirrorRoutes(c, apt, archive, path)
  return runRoute(routes, { method: c.req.method, authorization }, apt.services.tokens, 'apt', `the APT ${path.kind} URL`)
}

/** Said at start rather than at the first client's update: what is not checked, and a default keyring this machine lacks. */
function warnAboutKeyrings(services: LarderServices, config: AptConfig): void {
  for (const archive of config.insecureNoVerify) {
    services.logger.warn({ archive }, 'LARDER_APT_INSECURE_NO_VERIFY: this archive\'s Release signatures are not checked')
  }
  for (const archive of missingDefaultKeyrings(config)) {
    services.logger.warn({ archive, keyring: config.keyrings[archive] }, 'the default keyring is missing: no generation is accepted until it is installed (debian-archive-keyring) or LARDER_APT_KEYRINGS names one')
  }
}

const archiveNames = (apt: AptContext) => [apt.hosted.name, ...Object.keys(apt.upstreams)].join(', ')

/** What each method does in the hosted repository: reads, and the upload (a write whatever the method). */
function hostedRoutes(c: AptRouteContext, apt: AptContext, path: AptPath): RouteMethods {
  switch (path.kind) {
    case 'upload': {
      const upload = writeAction(() => putUpload(c, apt, path.filename))
      return { PUT: upload, POST: upload }
    }
    case 'release': return readRoute(() => getHostedRelease(c, apt, path.suite, path.file))
    case 'index': return readRoute(() => getHostedIndex(c, apt, path.suite, path.path))
    case 'by-hash': return readRoute(() => getHostedByHash(c, apt, path.suite, path.algorithm, path.hash))
    case 'pool': return readRoute(() => getHostedPool(c, apt, path.path))
    case 'keyring': return readRoute(() => getKeyring(c, apt, path.format))
    default: throw new LarderError('E_NOT_FOUND', `no such path in the hosted repository: ${new URL(c.req.url).pathname}`)
  }
}

/** A mirrored archive only reads. */
function mirrorRoutes(c: AptRouteContext, apt: AptContext, archive: string, path: AptPath): RouteMethods {
  // hasOwn, not `in`: "constructor" is no archive.
  if (!Object.hasOwn(apt.upstreams, archive)) {
    throw new LarderError('E_NOT_FOUND', `no APT archive is named "${archive}"`, { hint: `configure it in LARDER_APT_UPSTREAMS (name=url); archives: ${archiveNames(apt)}` })
  }
  switch (path.kind) {
    case 'release': return readRoute(() => getMirrorRelease(c, apt, archive, path.suite, path.file))
    case 'index': return readRoute(() => getMirrorIndex(c, apt, archive, path.suite, path.path))
    case 'by-hash': return readRoute(() => getMirrorByHash(c, apt, archive, path.suite, path.dir, path.algorithm, path.hash))
    case 'pool': return readRoute(() => getMirrorPool(c, apt, archive, path.path))
    default: throw new LarderError('E_NOT_FOUND', `no such path in a mirrored archive: ${new URL(c.req.url).pathname}`)
  }
}
