package io.streammesh.enforcer;

/**
 * A record for a view topic or a view's dead-letter topic, already serialized.
 *
 * @param topic where it goes
 * @param value its bytes
 */
record ViewOutput(String topic, byte[] value) {
}
