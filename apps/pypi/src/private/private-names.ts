/**
 * Projects private before their first upload (LARDER_PYPI_PRIVATE_NAMES), and the check a first
 * upload of any other project must pass: the upstream index must not have it.
 */
import { PrivateNameList, assertNotOnUpstream } from '@larder/core'
import { isValidProjectName, normalizeProjectName } from '../names/project-name.js'
import type { PypiContext } from '../routes/pypi-context.js'

export const PRIVATE_NAMES_ENV = 'LARDER_PYPI_PRIVATE_NAMES'
// PyPI has no namespaces, so a prefix like acme-* stands in for one.
const PROJECT_PREFIX = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

/** Parses `acme-tools,acme-*`; names and prefixes are kept PEP 503-normalized, as projects are looked up. */
export function parsePrivateNames(text: string | undefined): PrivateNameList {
  return PrivateNameList.parse(text, {
    setting: PRIVATE_NAMES_ENV,
    expected: 'a project name like acme-tools, or a prefix like acme-*',
    canonical: (item, isPrefix) => ((isPrefix ? PROJECT_PREFIX.test(item) : isValidProjectName(item)) ? normalizeProjectName(item) : undefined),
  })
}

/** Before an upload: a project that is not private yet (listed, or uploaded before) must not exist upstream. */
export async function admitUploadName(pypi: PypiContext, project: string): Promise<void> {
  if (await pypi.privateIndex.owns(project)) return
  const { config } = pypi.services
  await assertNotOnUpstream({
    name: project,
    upstream: pypi.settings.upstream,
    setting: PRIVATE_NAMES_ENV,
    offline: config.offline,
    lookup: () => pypi.pages.mirrored(project),
  })
}
