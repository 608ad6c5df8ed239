/** Every start path (the all-in-one server and each app alone) ends a bad setting with one line naming the variable, exit 2, no stack. */
import { describe, expect, it } from 'vitest'
import { makeTempDir, run } from '@larder/testkit'
import { REPO_ROOT, SERVER_ENTRY } from '../support/larder-process.js'

interface BadSetting {
  env: Record<string, string>
  /** What the one stderr line must say. */
  says: RegExp
}

// A core setting and a mirror's own setting for each entry: both are read before anything listens.
const CASES: Record<string, BadSetting[]> = {
  [SERVER_ENTRY]: [
    { env: { LARDER_LOG_LEVEL: 'verbose' }, says: /LARDER_LOG_LEVEL must be one of/ },
    { env: { LARDER_GEMS_UPSTREAM: 'ftp://gems.example' }, says: /LARDER_GEMS_UPSTREAM must be an http\(s\) URL/ },
    { env: { LARDER_TOKENS: 'ci=0123456789abc:mavn' }, says: /unknown scope "mavn".*scopes: npm pypi composer gems apt oci files \*/ },
  ],
  'apps/npm/dist/main.js': [{ env: { LARDER_NPM_PRIVATE_SCOPES: 'acme' }, says: /LARDER_NPM_PRIVATE_SCOPES: "acme" is not a scope like @acme/ }],
  'apps/pypi/dist/main.js': [{ env: { LARDER_PYPI_PRIVATE_NAMES: 'no/slash' }, says: /LARDER_PYPI_PRIVATE_NAMES/ }],
  'apps/composer/dist/main.js': [{ env: { LARDER_COMPOSER_UPSTREAM: 'not a url' }, says: /LARDER_COMPOSER_UPSTREAM is not a URL/ }],
  'apps/gems/dist/main.js': [{ env: { LARDER_MAX_ARTIFACT_MB: '0' }, says: /LARDER_MAX_ARTIFACT_MB must be a whole number >= 1/ }],
  'apps/oci/dist/main.js': [{ env: { LARDER_OCI_DEFAULT_UPSTREAM: 'nowhere.io' }, says: /LARDER_OCI_DEFAULT_UPSTREAM/ }],
  'apps/files/dist/main.js': [{ env: { LARDER_FILES_UPSTREAMS: 'github=ftp://github.com' }, says: /LARDER_FILES_UPSTREAMS/ }],
  'apps/apt/dist/main.js': [{ env: { LARDER_APT_UPSTREAMS: 'Debian=http://x' }, says: /LARDER_APT_UPSTREAMS: "Debian=http:\/\/x" must look like name=url/ }],
}

describe('start-up errors', () => {
  for (const [entry, cases] of Object.entries(CASES)) {
    for (const bad of cases) {
      it(`${entry} with ${Object.keys(bad.env).join(', ')}: exit 2 and one line`, async () => {
        const dir = await makeTempDir('larder-e2e-start-')
        try {
          const result = await run(process.execPath, [entry], { cwd: REPO_ROOT, timeoutMs: 60_000, env: { LARDER_DATA_DIR: dir.path, PORT: '0', ...bad.env } })
          expect(result.code).toBe(2)
          expect(result.stdout).toBe('')
          const lines = result.stderr.trim().split('\n')
          expect(lines).toHaveLength(1)
          expect(lines[0]).toMatch(/^larder: cannot start: /)
          expect(lines[0]).toMatch(bad.says)
        } finally {
          await dir.cleanup()
        }
      })
    }
  }
})
