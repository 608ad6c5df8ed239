/** @larder/oci: the OCI distribution protocol on the Larder core: mirrored registries (pull) and hosted images (push). */
export { createApp, OCI_PREFIX, ociMirror } from './app.js'
export { readOciSettings, type OciSettings } from './settings/oci-settings.js'
