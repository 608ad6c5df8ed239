/** @larder/core/testing: the shared suites every implementation of a core contract must pass (imports vitest; tests only). */
export { runStoreComplianceSuite, type ComplianceOptions, type StoreUnderTest } from './store/compliance.suite.js'
export { openMirrorTestApp, TEST_BASE_URL, type MirrorTestApp, type MirrorTestAppOptions } from './mirror/mirror-test-app.js'
export { recordEntryReads } from './store/entry-reads.js'
