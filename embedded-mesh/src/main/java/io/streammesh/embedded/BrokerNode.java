package io.streammesh.embedded;

import java.nio.file.Path;

/**
 * One node of the mesh's KRaft cluster (broker and controller combined): its id, where it keeps
 * its log and audit spool, and the ports it listens on.
 *
 * @param id the node id, from 1
 * @param logDir its log and metadata directory
 * @param auditSpool where its audit authorizer spools decisions it could not ship yet
 * @param port the client listener's port
 * @param controllerPort the controller listener's port
 */
record BrokerNode(int id, Path logDir, Path auditSpool, int port, int controllerPort) {

    /** @param host the address it binds @return its client address, {@code host:port} */
    String address(String host) {
        return host + ":" + port;
    }

    /** @param host the address it binds @return its entry in {@code controller.quorum.voters} */
    String voter(String host) {
        return id + "@" + host + ":" + controllerPort;
    }
}
