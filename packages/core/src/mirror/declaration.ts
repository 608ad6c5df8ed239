/** What a mirror declares about itself once: name, prefix, settings and routes; the server composes the declarations. */
import type { Context } from 'hono'
import type { RouteMethods } from '../auth/index.js'
import type { Env, LarderConfig } from '../config/index.js'
import { LarderError } from '../errors/index.js'
import { externalBaseUrl, type ErrorRenderer, type LarderEnv } from '../http/index.js'
import type { LarderServices } from '../services/index.js'

/** The methods one URL answers and how to name it in a 405 ('the PyPI file URL'). */
export interface MirrorRoute {
  methods: RouteMethods
  what: string
}

/** A mirror built from its settings: it turns a path below its prefix into a route. */
export interface MirrorHandler {
  /** `rawPath` is the still-encoded path after the prefix ('' or '/...'). */
  route(c: Context<LarderEnv>, rawPath: string): MirrorRoute | Promise<MirrorRoute>
  /** Answered before the read check, for the one request that obtains a token (npm login); undefined: not such a request. */
  open?(c: Context<LarderEnv>, rawPath: string): Promise<Response> | undefined
  /** Where clients point, below the prefix, for the root document: '/simple/', or a list. */
  clientPaths?: string | readonly string[]
  /** Work before the process listens (making a signing key); its fields go into the "listening" line. */
  start?(): Promise<Record<string, unknown>>
  /** The protocol's own error body, for clients that read one (OCI); Larder's JSON otherwise. */
  renderError?: ErrorRenderer
}

export interface MirrorDeclaration<S = unknown> {
  /** Names the mirror in URLs, logs, metrics and token scopes: lower case ('npm'). */
  name: string
  /** Where it is mounted ('/npm'). */
  prefix: string
  /** Reads and validates its settings at start (LARDER_<NAME>_*); errors name the variable and what it accepts. */
  settings(env: Env, base: Omit<LarderConfig, 'mirrors'>): S
  create(services: LarderServices, settings: S): MirrorHandler
}

const NAME = /^[a-z][a-z0-9-]{0,31}$/
const PREFIX = /^(\/[A-Za-z0-9._~-]+)+$/

/** Checks a declaration eagerly (its name is a token scope, its prefix a plain path) and keeps its settings type. */
export function defineMirror<S>(declaration: MirrorDeclaration<S>): MirrorDeclaration<S> {
  if (!NAME.test(declaration.name)) throw new LarderError('E_INVALID_OPTION', `mirror name must be lower case like npm, got "${declaration.name}"`)
  if (!PREFIX.test(declaration.prefix))
    throw new LarderError('E_INVALID_OPTION', `prefix of ${declaration.name} must look like /${declaration.name}, got "${declaration.prefix}"`)
  return declaration
}

/** The settings loadConfig read for this mirror, or reads them now from `env` (a test that built its config without it). */
export function settingsOf<S>(declaration: MirrorDeclaration<S>, config: LarderConfig, env: Env = process.env): S {
  if (Object.hasOwn(config.mirrors, declaration.name)) return config.mirrors[declaration.name] as S
  return declaration.settings(env, config)
}

/** What every mirror's routes share: the services, the mirror's settings and where it is mounted. */
export interface MirrorContext<S = unknown> {
  services: LarderServices
  settings: S
  prefix: string
}

/** A mirror's URL as the client sees it, e.g. http://127.0.0.1:8080/pypi. */
export function mirrorBaseUrl(c: Context<LarderEnv>, mirror: Pick<MirrorContext, 'services' | 'prefix'>): string {
  const { publicUrl, trustedProxies } = mirror.services.config
  return externalBaseUrl(c, { prefix: mirror.prefix, publicUrl, trustedProxies })
}
