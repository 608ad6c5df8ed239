/** What every npm route needs: services, where the app is mounted, the packument source and private registry. */
import type { Context } from 'hono'
import { mirrorBaseUrl, type LarderEnv, type MirrorContext } from '@larder/core'
import type { PackumentSource } from '../packument/packument-source.js'
import type { TarballGuesses } from './tarball-guesses.js'
import type { PrivateRegistry } from '../private/private-registry.js'
import type { NpmSettings } from '../settings/npm-settings.js'

export interface NpmContext extends MirrorContext<NpmSettings> {
  packuments: PackumentSource
  privateRegistry: PrivateRegistry
  tarballGuesses: TarballGuesses
}

export type NpmRouteContext = Context<LarderEnv>

/** The registry's URL as the client sees it, e.g. http://127.0.0.1:8080/npm. */
export const registryBase = (c: NpmRouteContext, npm: NpmContext): string => mirrorBaseUrl(c, npm)
