/** docker-compose.yml is valid for Debian's docker-compose and keeps the deployment's promises: healthchecks, restarts, volumes, one published port. */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { run } from '@larder/testkit'
import { LARDER_APPS, REPO_ROOT } from './app-process.js'

const DOCKER_COMPOSE = process.env.LARDER_TEST_DOCKER_COMPOSE ?? 'docker-compose'
/** docker-compose's own interpreter has PyYAML (a dependency of the Debian package). */
const YAML_TO_JSON = 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'
const COMPOSE_ARGS = ['-f', 'docker-compose.yml', '--env-file', '.env.example', 'config']

interface Service {
  command?: string[]
  environment?: Record<string, string>
  healthcheck?: { test?: string[] }
  restart?: string
  ports?: unknown[]
  volumes?: (string | { type?: string; source?: string; target?: string })[]
  build?: unknown
  image?: string
  profiles?: string[]
  deploy?: { replicas?: number }
}
interface ComposeConfig {
  services: Record<string, Service>
  volumes?: Record<string, unknown>
}

let config: ComposeConfig

/** A volume as `config` prints it (short or long syntax) as source and target. */
function mount(volume: string | { source?: string; target?: string }): { source: string; target: string } {
  if (typeof volume !== 'string') return { source: volume.source ?? '', target: volume.target ?? '' }
  const [source = '', target = ''] = volume.split(':')
  return { source, target }
}

beforeAll(async () => {
  const printed = await run(DOCKER_COMPOSE, COMPOSE_ARGS, { cwd: REPO_ROOT, env: { COMPOSE_PROJECT_NAME: 'larder-test' } })
  expect(printed.code, printed.stderr).toBe(0)
  const shebang = (await readFile(await whichDockerCompose(), 'utf8')).split('\n')[0]!
  const python = /^#!\s*(\S+python3?\S*)/.exec(shebang)?.[1] ?? '/usr/bin/python3'
  const parsed = await run(python, ['-c', YAML_TO_JSON], { input: printed.stdout })
  expect(parsed.code, parsed.stderr).toBe(0)
  config = JSON.parse(parsed.stdout) as ComposeConfig
})

async function whichDockerCompose(): Promise<string> {
  if (DOCKER_COMPOSE.includes('/')) return DOCKER_COMPOSE
  const found = await run('sh', ['-c', `command -v ${DOCKER_COMPOSE}`])
  return found.stdout.trim()
}

describe('docker-compose.yml', () => {
  it('passes `docker-compose config -q` with .env.example', async () => {
    const result = await run(DOCKER_COMPOSE, [...COMPOSE_ARGS, '-q'], { cwd: REPO_ROOT })
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0)
    expect(result.stderr).not.toMatch(/WARN/i)
  })

  it('runs every app from the one image, with HOST 0.0.0.0, PORT 8080 and its own named volume at /data', () => {
    const named = Object.keys(config.volumes ?? {})
    const sources = new Set<string>()
    for (const app of LARDER_APPS) {
      const service = config.services[app]
      expect(service, app).toBeDefined()
      expect(service!.command, app).toEqual(['node', `apps/${app}/dist/main.js`])
      expect(service!.build, app).toBeDefined()
      expect(service!.image, app).toBe(config.services.npm!.image)
      expect(service!.environment, app).toMatchObject({ HOST: '0.0.0.0', PORT: '8080', LARDER_DATA_DIR: '/data' })
      const data = (service!.volumes ?? []).map(mount).find((v) => v.target === '/data')
      expect(data?.source && named.includes(data.source), `${app} keeps /data in a named volume`).toBe(true)
      sources.add(data!.source)
    }
    expect(sources.size, 'one volume per app').toBe(LARDER_APPS.length)
  })

  it('gives every service a healthcheck and restart: unless-stopped', () => {
    for (const [name, service] of Object.entries(config.services)) {
      expect(service.healthcheck?.test?.length, `${name} healthcheck`).toBeGreaterThan(0)
      expect(service.restart, `${name} restart`).toBe('unless-stopped')
    }
  })

  it('publishes one port only, on the proxy, which mounts deploy/nginx.conf', () => {
    const publishing = Object.entries(config.services).filter(([, service]) => (service.ports ?? []).length > 0)
    expect(publishing.map(([name]) => name)).toEqual(['proxy'])
    expect(publishing[0]![1].ports).toHaveLength(1)
    const mounts = (config.services.proxy!.volumes ?? []).map(mount)
    expect(mounts).toContainEqual({ source: join(REPO_ROOT, 'deploy/nginx.conf'), target: '/etc/nginx/conf.d/default.conf' })
  })

  it('trusts X-Forwarded-* only from the proxy, which has a fixed address inside the compose subnet', () => {
    const address = (config.services.proxy as { networks?: { default?: { ipv4_address?: string } } }).networks?.default?.ipv4_address
    expect(address).toBe('172.30.57.10')
    for (const app of LARDER_APPS) {
      expect(config.services[app]!.environment?.LARDER_TRUSTED_PROXIES, app).toBe(address)
    }
  })

  it('passes every LARDER_* setting of .env.example to the apps', async () => {
    const example = await readFile(join(REPO_ROOT, '.env.example'), 'utf8')
    const settings = [...example.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]!)
    const composeOnly = new Set(['LARDER_PORT', 'LARDER_IMAGE', 'LARDER_NETWORK_SUBNET', 'LARDER_PROXY_ADDRESS', 'LARDER_REPLICAS', 'LARDER_POSTGRES_PASSWORD'])
    for (const name of settings.filter((s) => !composeOnly.has(s))) {
      expect(Object.keys(config.services.npm!.environment ?? {}), name).toContain(name)
    }
  })

  it('adds PostgreSQL and an object store under --profile ha, and replicates every app by LARDER_REPLICAS', async () => {
    expect(config.services.postgres?.profiles).toEqual(['ha'])
    expect(config.services.s3?.profiles).toEqual(['ha'])
    for (const app of LARDER_APPS) expect(config.services[app]!.profiles, app).toBeUndefined()
    const env = {
      COMPOSE_PROJECT_NAME: 'larder-test',
      LARDER_REPLICAS: '3',
      LARDER_STORE: 's3',
      LARDER_DATABASE_URL: 'postgres://larder:larder@postgres:5432/larder',
    }
    const printed = await run(DOCKER_COMPOSE, ['-f', 'docker-compose.yml', '--env-file', '.env.example', '--profile', 'ha', 'config'], { cwd: REPO_ROOT, env })
    expect(printed.code, printed.stderr).toBe(0)
    expect(printed.stdout.match(/^ {6}replicas: 3$/gm)?.length).toBe(LARDER_APPS.length)
    expect(printed.stdout).toContain('LARDER_DATABASE_URL: postgres://larder:larder@postgres:5432/larder')
    expect(printed.stdout).toContain('LARDER_STORE: s3')
  })
})
