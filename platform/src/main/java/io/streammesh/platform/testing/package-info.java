/**
 * The JUnit 5 harness that gives every integration test of the mesh a real broker and registry.
 * JUnit is a provided dependency: test code brings its own.
 */
package io.streammesh.platform.testing;
