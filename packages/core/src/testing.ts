/** @larder/core/testing: the shared suites every implementation of a core contract must pass (imports vitest; tests only). */
export { runStoreComplianceSuite, type StoreUnderTest } from './store/compliance.suite.js'
