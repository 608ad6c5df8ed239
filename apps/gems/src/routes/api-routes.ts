/** /api/v1: gem push and yank for private gems, and the retired dependency API. */
import { LarderError, discardSpooledFile, readLimitedBody, readRawUpload } from '@larder/core'
import { parseGemName } from '../names/gem-path.js'
import { admitPushName } from '../private/private-names.js'
import type { GemsContext, GemsRouteContext } from './gems-context.js'

export const MAX_YANK_BODY_BYTES = 64 * 1024

/**
 * rubygems.org answers 404 here since the dependency API was retired (2023); bundler then keeps to
 * the compact index, and old clients fall back to the full index. Passing it through would only add a hop.
 */
export function getDependencies(): never {
  throw new LarderError('E_NOT_FOUND', 'the dependency API is retired; use the compact index (/versions, /info/<gem>)', {
    hint: 'upgrade RubyGems/Bundler: both read the compact index',
  })
}

/** POST /api/v1/gems: `gem push --host <larder>/gems/ my.gem` with the raw .gem as the body. */
export async function pushGem(c: GemsRouteContext, gems: GemsContext): Promise<Response> {
  const principal = gems.services.tokens.requirePublisher(c.req.header('authorization'), 'gems')
  const { services } = gems
  const gem = await readRawUpload(c.req.raw, { spoolDir: services.store.spoolDir, maxBytes: services.config.maxUploadBytes, label: 'the pushed gem' })
  let pushed
  try {
    if (gem.size === 0) throw new LarderError('E_BAD_REQUEST', 'the push has no body', { hint: 'send the .gem file as the request body' })
    pushed = await gems.privateGems.push(gem, principal, (name) => admitPushName(gems, name))
  } finally {
    // Gone already if the store took it.
    await discardSpooledFile(gem)
  }
  gems.services.logger.info({ app: 'gems', gem: pushed.name, version: pushed.number, by: principal.name }, 'gem pushed')
  c.set('cacheResult', 'PRIVATE')
  return c.text(`Successfully registered gem: ${pushed.name} (${pushed.number})`, 200)
}

/** DELETE /api/v1/gems/yank with gem_name, version and platform as a form body (or query). */
export async function yankGem(c: GemsRouteContext, gems: GemsContext): Promise<Response> {
  const principal = gems.services.tokens.requirePublisher(c.req.header('authorization'), 'gems')
  const form = new URLSearchParams((await readLimitedBody(c.req.raw, MAX_YANK_BODY_BYTES, 'the yank request')).toString('utf8'))
  const field = (name: string) => form.get(name) ?? c.req.query(name) ?? undefined
  const name = parseGemName(field('gem_name') ?? '')
  const version = field('version')
  if (!version || !/^[0-9A-Za-z.-]{1,64}$/.test(version)) throw new LarderError('E_BAD_REQUEST', 'yank needs a version')
  const platform = field('platform') || undefined
  if (platform !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(platform)) throw new LarderError('E_BAD_REQUEST', 'invalid platform')
  if (!(await gems.privateGems.owns(name))) {
    throw new LarderError('E_FORBIDDEN', `${name} is not a gem pushed to Larder; mirrored gems cannot be yanked here`)
  }
  const number = await gems.privateGems.yank(name, version, platform, principal)
  gems.services.logger.info({ app: 'gems', gem: name, version: number, by: principal.name }, 'gem yanked')
  c.set('cacheResult', 'PRIVATE')
  return c.text(`Successfully deleted gem: ${name} (${number})`, 200)
}
