/**
 * Several Larder replicas as the `ha` profile runs them: one Ceph RGW bucket, one PostgreSQL database, each
 * replica with its own data folder (temp files only), and deploy/nginx.conf in front with every replica
 * behind every prefix.
 */
import { readFile } from 'node:fs/promises'
import { startCephRgw, startPostgres, type CephRgw, type EnvOverrides, type PostgresServer } from '@larder/testkit'
import { LARDER_APPS, type LarderAppName } from '../deploy/app-process.js'
import { launchNginx, NGINX_CONFIG, PROXY_HEALTH_PATH, substituteUpstreams, type RunningNginx } from '../deploy/nginx-proxy.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'

export const HA_BUCKET = 'larder-ha'

export interface HaCluster {
  readonly ceph: CephRgw
  readonly postgres: PostgresServer
  readonly databaseUrl: string
  /** The environment every replica gets (store, database, and the caller's upstreams). */
  readonly env: EnvOverrides
  readonly replicas: LarderServer[]
  /** deploy/nginx.conf with all replicas behind each prefix. */
  readonly proxy: RunningNginx
  /** Starts replica `index` again (after a kill), on its old port so nginx finds it. */
  restartReplica(index: number): Promise<LarderServer>
  output(): string
  stop(): Promise<void>
}

export async function startHaCluster(options: { replicas?: number; env?: EnvOverrides } = {}): Promise<HaCluster> {
  const count = options.replicas ?? 3
  const [ceph, postgres] = await Promise.all([startCephRgw(), startPostgres()])
  const replicas: LarderServer[] = []
  let proxy: RunningNginx | undefined
  const stop = async () => {
    await proxy?.stop()
    await Promise.all(replicas.map((replica) => replica.stop().catch(() => {})))
    await Promise.all([ceph.cleanup(), postgres.cleanup()])
  }
  try {
    const databaseUrl = await postgres.createDatabase('larder')
    const env: EnvOverrides = {
      LARDER_STORE: 's3',
      LARDER_S3_ENDPOINT: ceph.endpoint,
      LARDER_S3_BUCKET: HA_BUCKET,
      LARDER_S3_REGION: ceph.region,
      LARDER_S3_ACCESS_KEY_ID: ceph.accessKeyId,
      LARDER_S3_SECRET_ACCESS_KEY: ceph.secretAccessKey,
      LARDER_S3_FORCE_PATH_STYLE: '1',
      LARDER_S3_CREATE_BUCKET: '1',
      LARDER_DATABASE_URL: databaseUrl,
      LARDER_TRUSTED_PROXIES: '127.0.0.1',
      ...options.env,
    }
    // One at a time: the first creates the bucket and the tables, as the first container of a deployment would.
    for (let i = 0; i < count; i++) replicas.push(await startLarder({ env }))
    const servers = replicas.map((replica) => `127.0.0.1:${replica.port}`).join('; server ')
    const upstreams = Object.fromEntries(LARDER_APPS.map((app) => [app, servers])) as Record<LarderAppName, string>
    const source = await readFile(NGINX_CONFIG, 'utf8')
    proxy = await launchNginx({
      tempPrefix: 'larder-e2e-ha-nginx-',
      includeName: 'larder.conf',
      config: (listen) => substituteUpstreams(source, upstreams, listen),
      readyPath: PROXY_HEALTH_PATH,
    })
    const running = proxy
    return {
      ceph,
      postgres,
      databaseUrl,
      env,
      replicas,
      proxy: running,
      async restartReplica(index) {
        const replica = await startLarder({ env, port: replicas[index]!.port })
        replicas[index] = replica
        return replica
      },
      output: () => [running.output(), ...replicas.map((replica, i) => `--- replica ${i} ---\n${replica.output()}`)].join('\n'),
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
