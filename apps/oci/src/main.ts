/** Runs the OCI mirror alone (one container per app in docker-compose), at /v2/ as in the all-in-one server. */
import { launch } from '@larder/core'
import { ociMirror } from './app.js'

await launch({ name: 'oci', mirrors: [ociMirror] })
