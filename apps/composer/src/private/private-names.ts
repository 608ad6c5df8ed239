/**
 * Packages private before their first upload (LARDER_COMPOSER_PRIVATE_NAMES: vendor/* or vendor/name),
 * and the check a first upload of any other package must pass: the upstream must not have it.
 */
import { PrivateNameList, assertNotOnUpstream } from '@larder/core'
import { isPackageName } from '../names/package-name.js'
import type { ComposerContext } from '../routes/composer-context.js'

export const PRIVATE_NAMES_ENV = 'LARDER_COMPOSER_PRIVATE_NAMES'
/** The vendor half of Composer's name pattern. */
const VENDOR = /^[a-z0-9]([_.-]?[a-z0-9]+)*$/

/** Parses `acme/*,team/tool`: a whole vendor, or one package (lowercased, as Composer names are). */
export function parsePrivateNames(text: string | undefined): PrivateNameList {
  return PrivateNameList.parse(text, {
    setting: PRIVATE_NAMES_ENV,
    expected: 'a whole vendor like acme/* or a package like acme/tool',
    canonical: (item, isPrefix) => {
      const name = item.toLowerCase()
      if (!isPrefix) return isPackageName(name) ? name : undefined
      return name.endsWith('/') && VENDOR.test(name.slice(0, -1)) ? name : undefined
    },
  })
}

/** Before an upload: a package that is not private yet (listed, or uploaded before) must not exist upstream. */
export async function admitUploadName(composer: ComposerContext, name: string): Promise<void> {
  if (await composer.privateRepo.owns(name)) return
  const { config } = composer.services
  await assertNotOnUpstream({
    name,
    upstream: composer.settings.upstream,
    setting: PRIVATE_NAMES_ENV,
    offline: config.offline,
    // The tagged-releases file: the upstream has one for every package it knows (packagist: 404 otherwise).
    lookup: () => composer.p2.get(name, false),
  })
}
