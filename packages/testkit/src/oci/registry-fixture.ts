/**
 * Docker's registry (Debian's docker-registry, distribution 2.8) on loopback as a fixture upstream: filesystem
 * storage in a temp dir, anonymous or with `auth: token` trusting a testkit token issuer, and its access log
 * parsed so tests can count what reached it.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startProcess, type StartedProcess } from '../process/start-process.js'
import { makeTempDir, type TempDir } from '../temp/temp-dir.js'
import type { TokenIssuer } from './token-issuer.js'

export const DOCKER_REGISTRY_BIN = '/usr/bin/docker-registry'

export interface RegistryFixtureOptions {
  /** With an issuer the registry runs `auth: token` and trusts only tokens it signed. */
  tokenIssuer?: TokenIssuer
}

export interface RegistryAccess {
  method: string
  /** Path and query as requested. */
  path: string
  status: number
}

export interface RegistryFixture {
  /** http://127.0.0.1:PORT */
  readonly url: string
  /** 127.0.0.1:PORT, as image references name it. */
  readonly host: string
  /** Requests answered so far, from the registry's access log (written as each response completes). */
  accessLog(): RegistryAccess[]
  count(method: string, match: (path: string) => boolean, status?: number): number
  output(): string
  /** Stops the registry (an outage); the storage stays until `cleanup`. */
  stop(): Promise<void>
  /** Stops it if running and removes its storage. */
  cleanup(): Promise<void>
}

/** The access log line: `127.0.0.1 - - [date] "GET /v2/... HTTP/1.1" 200 123 "" "agent"`. */
const ACCESS_LINE = /"([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) /

export async function startRegistryFixture(options: RegistryFixtureOptions = {}): Promise<RegistryFixture> {
  const dir: TempDir = await makeTempDir('larder-oci-registry-')
  const configPath = join(dir.path, 'config.yml')
  await writeFile(configPath, registryConfig(join(dir.path, 'storage'), options.tokenIssuer))
  let child: StartedProcess
  try {
    child = await startProcess(DOCKER_REGISTRY_BIN, ['serve', configPath], {
      readyLine: /"listening on 127\.0\.0\.1:(\d+)"/,
      readyStream: 'stderr',
      // Settings outside this config (a REGISTRY_* from the environment) must not change the fixture.
      env: { REGISTRY_HTTP_SECRET: 'larder-test-secret' },
    })
  } catch (error) {
    await dir.cleanup()
    throw error
  }
  const port = Number(child.ready![1])
  const accessLog = () =>
    child
      .output()
      .stdout.split('\n')
      .flatMap((line) => {
        const match = ACCESS_LINE.exec(line)
        return match ? [{ method: match[1]!, path: match[2]!, status: Number(match[3]) }] : []
      })
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    accessLog,
    count: (method, match, status) =>
      accessLog().filter((line) => line.method === method && match(line.path) && (status === undefined || line.status === status)).length,
    output: () => `--- registry stdout ---\n${child.output().stdout}\n--- registry stderr ---\n${child.output().stderr}`,
    stop: async () => {
      await child.stop()
    },
    cleanup: async () => {
      await child.stop()
      await dir.cleanup()
    },
  }
}

function registryConfig(storage: string, issuer: TokenIssuer | undefined): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  formatter: json',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(storage)}`,
    '  delete:',
    '    enabled: true',
    'http:',
    '  addr: 127.0.0.1:0',
  ]
  if (issuer) {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${JSON.stringify(issuer.realm)}`,
      `    service: ${JSON.stringify(issuer.service)}`,
      `    issuer: ${JSON.stringify(issuer.issuer)}`,
      `    rootcertbundle: ${JSON.stringify(issuer.certPath)}`,
    )
  }
  return `${lines.join('\n')}\n`
}
