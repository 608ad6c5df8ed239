/**
 * Names private before their first publish (LARDER_NPM_PRIVATE_SCOPES, LARDER_NPM_PRIVATE_NAMES),
 * and the check a first publish of any other name must pass: the upstream must not have it.
 */
import { LarderError, PrivateNameList, assertNotOnUpstream } from '@larder/core'
import { parsePackageName, type PackageName } from '../names/package-name.js'
import type { NpmContext } from '../routes/npm-context.js'

export const PRIVATE_NAMES_ENV = 'LARDER_NPM_PRIVATE_NAMES'

/** Parses `left-pad-internal,@acme/x` (exact names only: whole scopes go in LARDER_NPM_PRIVATE_SCOPES). */
export function parsePrivateNames(text: string | undefined): PrivateNameList {
  return PrivateNameList.parse(text, {
    setting: PRIVATE_NAMES_ENV,
    expected: 'a package name like left-pad-internal or @acme/tool (list whole scopes in LARDER_NPM_PRIVATE_SCOPES)',
    canonical: (item, isPrefix) => {
      if (isPrefix) return undefined
      try {
        return parsePackageName(item).full
      } catch {
        return undefined
      }
    },
  })
}

/** Whether a full name (the hosted store's key for it) is private by configuration: its scope is reserved, or it is listed. */
export function reservedBy(scopes: ReadonlySet<string>, names: PrivateNameList): (full: string) => boolean {
  return (full) => (full.startsWith('@') && scopes.has(full.slice(1, full.indexOf('/')))) || names.has(full)
}

/** Before a publish: a name that is not private yet (configured, or published here before) must not exist upstream. */
export async function admitPublishName(npm: NpmContext, name: PackageName): Promise<void> {
  if (await npm.privateRegistry.owns(name)) return
  // npm's rule for new names; old mirrored names with capitals are still read, never created here.
  if (name.full !== name.full.toLowerCase()) {
    throw new LarderError('E_INVALID_NAME', `publish refused: new package names must be lowercase, not ${name.full}`, {
      hint: `publish it as ${name.full.toLowerCase()}`,
    })
  }
  const { config } = npm.services
  await assertNotOnUpstream({
    name: name.full,
    upstream: npm.settings.upstream,
    setting: PRIVATE_NAMES_ENV,
    offline: config.offline,
    lookup: () => npm.packuments.get(name),
    hint: `choose another name; list it in ${PRIVATE_NAMES_ENV} (or its scope in LARDER_NPM_PRIVATE_SCOPES) only if this Larder is meant to own it`,
  })
}
