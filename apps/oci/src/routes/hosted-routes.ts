/**
 * The method tables of hosted repositories (<LARDER_OCI_HOSTED_NAME>/<repository>). Pulls are reads (open, or behind
 * LARDER_PROTECT_READS like every mirror); pushes, upload sessions and deletes are writes, so the edge asks for a
 * token with the `oci` scope before any of them runs.
 */
import { readRoute, writeAction, type MirrorRoute } from '@larder/core'
import { OciError } from '../errors/oci-error.js'
import type { OciPath } from '../names/oci-path.js'
import type { HostedTarget } from '../names/upstream-target.js'
import { deleteHostedBlob, getHostedBlob } from './hosted-blob-route.js'
import { deleteHostedManifest, getHostedManifest, putHostedManifest } from './hosted-manifest-route.js'
import { getHostedTags } from './hosted-tags-route.js'
import type { OciContext, OciRouteContext } from './oci-context.js'
import { getReferrers } from './referrers-route.js'
import { cancelUpload, finishUpload, patchUpload, uploadStatus } from './upload-session-route.js'
import { startUpload } from './upload-start-route.js'

type ImagePath = Exclude<OciPath, { kind: 'base' } | { kind: 'catalog' }>

export function hostedRoute(c: OciRouteContext, oci: OciContext, path: ImagePath, image: HostedTarget): MirrorRoute {
  if (!image.repo) {
    throw new OciError('NAME_INVALID', 'E_INVALID_NAME', `"${oci.settings.hostedName}" alone names no repository`, {
      hint: `hosted images are ${oci.settings.hostedName}/<repository>, e.g. ${oci.settings.hostedName}/team/app`,
    })
  }
  const what = `the OCI ${path.kind} URL of ${image.clientName}`
  switch (path.kind) {
    case 'manifest': {
      const { reference } = path
      return {
        what,
        methods: {
          ...readRoute(() => getHostedManifest(c, oci, image, reference)),
          PUT: writeAction(() => putHostedManifest(c, oci, image, reference)),
          DELETE: writeAction(() => deleteHostedManifest(c, oci, image, reference)),
        },
      }
    }
    case 'blob':
      return {
        what,
        methods: { ...readRoute(() => getHostedBlob(c, oci, image, path.digest)), DELETE: writeAction(() => deleteHostedBlob(c, oci, image, path.digest)) },
      }
    case 'tags':
      return { what, methods: readRoute(() => getHostedTags(c, oci, image)) }
    case 'referrers':
      return { what, methods: readRoute(() => getReferrers(c, oci, image, path.digest)) }
    case 'upload': {
      const id = path.session
      if (id === undefined) return { what, methods: { POST: writeAction(() => startUpload(c, oci, image)) } }
      // Reading an upload's status is part of pushing it: it needs the token too.
      return {
        what: `an upload session of ${image.clientName}`,
        methods: {
          GET: writeAction(() => uploadStatus(c, oci, image, id)),
          PATCH: writeAction(() => patchUpload(c, oci, image, id)),
          PUT: writeAction(() => finishUpload(c, oci, image, id)),
          DELETE: writeAction(() => cancelUpload(c, oci, image, id)),
        },
      }
    }
  }
}
