/** Ceph fixtures: a real single-node cluster with the RADOS Gateway's S3 API on loopback. */
export * from './ceph-rgw.js'
