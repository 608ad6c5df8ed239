/**
 * Gems private before their first push (LARDER_GEMS_PRIVATE_NAMES: names and `prefix*`), and the
 * check a first push of any other gem must pass: the upstream must not have it.
 */
import { PrivateNameList, assertNotOnUpstream } from '@larder/core'
import { GEM_NAME_PATTERN } from '../names/gem-path.js'
import type { GemsContext } from '../routes/gems-context.js'

export const PRIVATE_NAMES_ENV = 'LARDER_GEMS_PRIVATE_NAMES'
const GEM_PREFIX = /^[A-Za-z0-9][A-Za-z0-9._-]{0,126}$/

/** Parses `acme-tools,acme-*` (gem names are matched as written, like rubygems.org's URLs). */
export function parsePrivateNames(text: string | undefined): PrivateNameList {
  return PrivateNameList.parse(text, {
    setting: PRIVATE_NAMES_ENV,
    expected: 'a gem name like acme-tools, or a prefix like acme-*',
    canonical: (item, isPrefix) => ((isPrefix ? GEM_PREFIX : GEM_NAME_PATTERN).test(item) ? item : undefined),
  })
}

/** Before a push stores anything: a gem that is not private yet (listed, or pushed before) must not exist upstream. */
export async function admitPushName(gems: GemsContext, name: string): Promise<void> {
  if (await gems.privateGems.owns(name)) return
  const { config } = gems.services
  await assertNotOnUpstream({
    name,
    upstream: gems.settings.upstream,
    setting: PRIVATE_NAMES_ENV,
    offline: config.offline,
    lookup: () => gems.upstream.info(name),
  })
}
