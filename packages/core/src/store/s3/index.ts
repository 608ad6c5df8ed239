/** The S3 backend: blobs and entries in one bucket of any S3-compatible service. */
export { createS3Store } from './s3-store.js'
export {
  DEFAULT_S3_MULTIPART_THRESHOLD_BYTES,
  DEFAULT_S3_PART_BYTES,
  DEFAULT_S3_UPLOAD_CONCURRENCY,
  DEFAULT_S3_MAX_SOCKETS,
  type S3StoreOptions,
} from './s3-client.js'
