/** Where the store lives (LARDER_STORE: fs or s3, with LARDER_S3_*) and whether a database keeps the index (LARDER_DATABASE_URL). */
import { LarderError } from '../errors/index.js'
import { httpUrl, readFlag, type Env } from './settings.js'

export const STORE_KINDS = ['fs', 's3'] as const

export interface S3Settings {
  endpoint: string | undefined
  bucket: string
  region: string
  accessKeyId: string | undefined
  secretAccessKey: string | undefined
  forcePathStyle: boolean
  createBucket: boolean
}

export interface StorageConfig {
  /** fs: blobs and entries under LARDER_DATA_DIR/store; s3: in a bucket (only temp files stay local). */
  store: 'fs' | 's3'
  s3: S3Settings | undefined
  /** PostgreSQL for the entry index, cluster-wide leases and change notifications; several replicas need it. */
  databaseUrl: string | undefined
}

export function readStorageSettings(env: Env): StorageConfig {
  const store = (env.LARDER_STORE?.trim() || 'fs') as StorageConfig['store']
  if (!STORE_KINDS.includes(store)) {
    throw new LarderError('E_INVALID_OPTION', `LARDER_STORE must be one of ${STORE_KINDS.join(', ')}, got ${JSON.stringify(env.LARDER_STORE)}`)
  }
  const databaseUrl = env.LARDER_DATABASE_URL?.trim() || undefined
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new LarderError('E_INVALID_OPTION', 'LARDER_DATABASE_URL must be a postgres:// URL', { hint: 'e.g. postgres://larder:secret@db:5432/larder' })
  }
  return { store, s3: store === 's3' ? s3Settings(env) : undefined, databaseUrl }
}

function s3Settings(env: Env): S3Settings {
  const bucket = env.LARDER_S3_BUCKET?.trim()
  if (!bucket) throw new LarderError('E_INVALID_OPTION', 'LARDER_STORE=s3 needs LARDER_S3_BUCKET')
  const accessKeyId = env.LARDER_S3_ACCESS_KEY_ID?.trim() || undefined
  const secretAccessKey = env.LARDER_S3_SECRET_ACCESS_KEY?.trim() || undefined
  if (!accessKeyId !== !secretAccessKey) {
    throw new LarderError(
      'E_INVALID_OPTION',
      'LARDER_S3_ACCESS_KEY_ID and LARDER_S3_SECRET_ACCESS_KEY go together: set both, or neither to use the AWS default credentials',
    )
  }
  const endpoint = env.LARDER_S3_ENDPOINT?.trim() ? httpUrl('LARDER_S3_ENDPOINT', env.LARDER_S3_ENDPOINT.trim()) : undefined
  return {
    endpoint,
    bucket,
    region: env.LARDER_S3_REGION?.trim() || 'us-east-1',
    accessKeyId,
    secretAccessKey,
    // Self-hosted services (Ceph, MinIO) rarely have per-bucket DNS names: path style is their default here.
    forcePathStyle: env.LARDER_S3_FORCE_PATH_STYLE?.trim() ? readFlag(env, 'LARDER_S3_FORCE_PATH_STYLE') : endpoint !== undefined,
    createBucket: readFlag(env, 'LARDER_S3_CREATE_BUCKET'),
  }
}
