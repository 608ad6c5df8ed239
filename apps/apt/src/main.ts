/** Runs the APT mirror alone (one container per app in docker-compose), at the same URL layout as the all-in-one server. */
import { launch } from '@larder/core'
import { createApp } from './app.js'

await launch({
  name: 'apt',
  build: async (services) => {
    const app = createApp({ services })
    // Made (or read) before listening: the first client should not wait for key generation.
    const signer = await app.hosted.signer()
    return { app, listening: { signingKey: signer.fingerprint } }
  },
})
