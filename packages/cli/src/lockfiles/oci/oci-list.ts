/** A list of OCI image references (tags and digests). */
import { notYetFormat } from '../lockfile-format.js'

export const ociListFormat = notYetFormat('OCI image list', (name) => name.endsWith('.oci-list') || name === 'images.txt')
