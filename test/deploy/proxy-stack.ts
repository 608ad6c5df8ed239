/** The deployment under test: fixture upstreams, each built app as its own process, and deploy/nginx.conf in front of them. */
import {
  buildGem,
  buildPythonDists,
  packNpmPackage,
  startGemsUpstreamFixture,
  startNpmRegistryFixture,
  startPypiIndexFixture,
  type BuiltGem,
  type FixtureServer,
  type PackedPackage,
  type PypiIndexFixture,
  type PythonDist,
} from '@larder/testkit'
import { builtApps, LARDER_APPS, startApp, type AppProcess, type LarderAppName } from './app-process.js'
import { freePort, startNginxProxy, type NginxProxy } from './nginx-proxy.js'

export const PUBLISH_TOKEN = 'e2e-deploy-token-1'

export interface ProxyStack {
  readonly proxy: NginxProxy
  readonly apps: AppProcess[]
  /** Apps docker-compose.yml runs that are not built here: their upstream is a closed port. */
  readonly missing: LarderAppName[]
  readonly npm: { dep: PackedPackage; scoped: PackedPackage }
  readonly wheel: PythonDist
  readonly gem: BuiltGem
  /** Every process's output, for assertion messages. */
  output(): string
  /** Stops nginx, the apps and the fixtures; safe to call twice. */
  stop(): Promise<void>
}

export async function startProxyStack(): Promise<ProxyStack> {
  const [dep, scoped, dists, gem] = await Promise.all([
    packNpmPackage({ name: 'e2e-deploy-dep', version: '1.0.0' }),
    packNpmPackage({ name: '@e2e-deploy/scoped', version: '1.0.0', dependencies: { 'e2e-deploy-dep': '^1.0.0' } }),
    buildPythonDists({ name: 'e2e-deploy-py', version: '1.0' }),
    buildGem({ name: 'e2e-deploy-gem', version: '1.0.0' }),
  ])
  const fixtures: { stop(): Promise<void> }[] = []
  const apps: AppProcess[] = []
  let proxy: NginxProxy | undefined
  const stop = async () => {
    await proxy?.stop()
    await Promise.all(apps.map((app) => app.stop()))
    await Promise.all(fixtures.map((fixture) => fixture.stop()))
  }
  try {
    const npmFixture: FixtureServer = await startNpmRegistryFixture({ packages: [dep, scoped] })
    fixtures.push(npmFixture)
    const pypiFixture: PypiIndexFixture = await startPypiIndexFixture({ format: 'json', dists: [dists.wheel] })
    fixtures.push(pypiFixture)
    const gemsFixture = await startGemsUpstreamFixture({ gems: [gem] })
    fixtures.push(gemsFixture)
    // Nothing listens here: composer, apt, oci and files (and any app not built yet) must never reach the internet.
    const closed = `127.0.0.1:${await freePort()}`
    const env = {
      LARDER_NPM_UPSTREAM: npmFixture.url,
      LARDER_PYPI_UPSTREAM: pypiFixture.simpleUrl,
      LARDER_GEMS_UPSTREAM: gemsFixture.url,
      LARDER_COMPOSER_UPSTREAM: `http://${closed}`,
      LARDER_APT_UPSTREAMS: `debian=http://${closed}/debian`,
      LARDER_OCI_UPSTREAMS: `docker.io=http://${closed}`,
      LARDER_FILES_UPSTREAMS: `github=http://${closed}`,
      LARDER_TOKENS: `ci=${PUBLISH_TOKEN}:npm`,
      LARDER_PUBLIC_URL: undefined,
      // nginx reaches the apps from loopback: its X-Forwarded-* headers are believed, nobody else's.
      LARDER_TRUSTED_PROXIES: '127.0.0.1',
      LARDER_OFFLINE: undefined,
      HTTP_PROXY: undefined,
      HTTPS_PROXY: undefined,
      http_proxy: undefined,
      https_proxy: undefined,
    }
    const built = builtApps()
    const started = await Promise.allSettled(built.map((app) => startApp(app, env)))
    for (const result of started) if (result.status === 'fulfilled') apps.push(result.value)
    const failed = started.find((result) => result.status === 'rejected')
    if (failed) throw failed.reason
    const upstreams = Object.fromEntries(LARDER_APPS.map((app) => [app, closed])) as Record<LarderAppName, string>
    for (const app of apps) upstreams[app.app] = `127.0.0.1:${app.port}`
    proxy = await startNginxProxy(upstreams)
    const running = proxy
    return {
      proxy: running,
      apps,
      missing: LARDER_APPS.filter((app) => !built.includes(app)),
      npm: { dep, scoped },
      wheel: dists.wheel,
      gem,
      output: () => [running.output(), ...apps.map((app) => app.output())].join('\n'),
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
