/** One fixture upstream per ecosystem, each holding one small real package, so reads through Larder can succeed and every hit is counted. */
import {
  buildComposerPackage,
  buildGem,
  buildPythonDists,
  composerVersionEntry,
  packNpmPackage,
  startAptUpstreamFixture,
  startComposerDistFixture,
  startComposerMetadataFixture,
  startGemsUpstreamFixture,
  startNpmRegistryFixture,
  startPypiIndexFixture,
  type FixtureServer,
} from '@larder/testkit'

/** The packages the fixtures hold; the route table names them in its URLs. */
export const FIXTURE_PACKAGES = {
  npm: { name: 'authz-pub', version: '1.0.0' },
  pypi: { name: 'authz-py', version: '1.0' },
  composer: { name: 'acme/authz', version: '1.0.0' },
  gems: { name: 'authz-gem', version: '1.0.0' },
} as const

export const COMPOSER_PACKAGE = buildComposerPackage(FIXTURE_PACKAGES.composer)

export interface AuthzUpstreams {
  /** LARDER_*_UPSTREAM(S) for a Larder that mirrors these fixtures (APT archive name: `mirror`). */
  env: Record<string, string>
  /** The pypi wheel, whose sha256 is part of its Larder URL. */
  wheel: { filename: string; sha256: string }
  /** Requests every fixture has answered so far, with what they asked. */
  requests(): { server: string; method: string; path: string }[]
  stop(): Promise<void>
}

export async function startAuthzUpstreams(): Promise<AuthzUpstreams> {
  const [packed, dists, gem] = await Promise.all([
    packNpmPackage(FIXTURE_PACKAGES.npm),
    buildPythonDists(FIXTURE_PACKAGES.pypi),
    buildGem(FIXTURE_PACKAGES.gems),
  ])
  const composerDists = await startComposerDistFixture()
  const [npm, pypi, composer, gems, apt] = await Promise.all([
    startNpmRegistryFixture({ packages: [packed] }),
    startPypiIndexFixture({ format: 'html', dists: [dists.wheel] }),
    startComposerMetadataFixture({ versions: [composerVersionEntry(COMPOSER_PACKAGE, { distUrl: composerDists.add(COMPOSER_PACKAGE) })] }),
    startGemsUpstreamFixture({ gems: [gem] }),
    startAptUpstreamFixture(),
  ])
  const servers: Record<string, FixtureServer> = { npm, pypi: pypi.index, composer, composerDists, gems, apt }
  return {
    env: {
      LARDER_NPM_UPSTREAM: npm.url,
      LARDER_PYPI_UPSTREAM: pypi.simpleUrl,
      LARDER_COMPOSER_UPSTREAM: composer.url,
      LARDER_GEMS_UPSTREAM: gems.url,
      LARDER_APT_UPSTREAMS: `mirror=${apt.url}`,
      LARDER_APT_KEYRINGS: `mirror=${apt.key.keyringPath}`,
    },
    wheel: { filename: dists.wheel.filename, sha256: dists.wheel.sha256 },
    requests: () => Object.entries(servers).flatMap(([server, fixture]) => fixture.requests.map((r) => ({ server, method: r.method, path: r.path }))),
    stop: async () => {
      await Promise.all([npm.stop(), pypi.stop(), composer.stop(), composerDists.stop(), gems.stop(), apt.stop()])
    },
  }
}
