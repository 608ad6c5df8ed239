/** @larder/oci: the OCI distribution protocol (pull path) on the Larder core. */
export { createApp, OCI_PREFIX, ociMirror } from './app.js'
export { readOciSettings, type OciSettings } from './settings/oci-settings.js'
