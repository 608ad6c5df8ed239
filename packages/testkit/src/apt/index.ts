/** APT fixtures: .debs built with dpkg-deb, signed archives built with apt-ftparchive and gpg, and apt-get in isolated state. */
export * from './deb-build.js'
export * from './gpg-key.js'
export * from './apt-archive.js'
export * from './apt-upstream-fixture.js'
export * from './apt-sandbox.js'
