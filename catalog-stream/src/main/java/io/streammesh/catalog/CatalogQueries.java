package io.streammesh.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streammesh.client.AvroJson;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.AuditChainStatus;
import io.streammesh.schema.ProductConsumption;
import io.streammesh.schema.ProductStats;
import io.streammesh.schema.ViewStatus;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Reads the catalog's state (interactive queries). The catalog and each product's health are
 * global stores that every instance holds whole, read here from their copy in memory
 * ({@link CatalogSnapshots}) rather than scanned per request; requests, grants and rejections are partitioned, so a list asks
 * every instance for its part, and a single key is fetched from the instance that owns it.
 */
final class CatalogQueries {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaStreams streams;
    private final CatalogSnapshots snapshots;
    private final HostInfo self;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final String platformAuthorization;

    /**
     * @param streams the running app
     * @param snapshots the catalog and health its global stores keep in memory
     * @param self this instance's REST endpoint
     * @param clientConfig the catalog's own client config: instances call each other as the
     *        platform, never with a caller's credentials, and internal routes serve only the platform
     */
    CatalogQueries(KafkaStreams streams, CatalogSnapshots snapshots, HostInfo self, MeshClientConfig clientConfig) {
        this.streams = streams;
        this.snapshots = snapshots;
        this.self = self;
        this.platformAuthorization = CatalogClient.basicAuthorization(clientConfig);
    }

    /**
     * @return the catalog as this instance holds it now: one consistent picture for a whole page or search
     * @throws InvalidStateStoreException (a 503) when the app is not running: its picture would
     *         silently stop changing
     */
    CatalogSnapshot snapshot() {
        requireRunning();
        return snapshots.current();
    }

    /** @return the ACTIVE grants that allow decryption, as this instance's global thread last read them */
    DecryptGrants decryptGrants() {
        requireRunning();
        return snapshots.decryptGrants();
    }

    /** @return a product's latest health, if any records of it were seen */
    Optional<ProductStats> health(String address) {
        requireRunning();
        return snapshots.health(address);
    }

    private void requireRunning() {
        if (!streams.state().isRunningOrRebalancing()) {
            throw new InvalidStateStoreException("the catalog app is " + streams.state());
        }
    }

    /**
     * @param address a product
     * @return the policy-enforcer's latest status of each of its views that reported one, by view name
     */
    Map<String, ViewStatus> viewStatuses(ProductAddress address) {
        Map<String, ViewStatus> statuses = new HashMap<>();
        try (var found = viewStatus().prefixScan(MeshTopics.viewStatusPrefix(address), Serdes.String().serializer())) {
            found.forEachRemaining(entry -> statuses.put(entry.value.value().getView(), entry.value.value()));
        }
        return statuses;
    }

    /**
     * @param address a product, or null for every product
     * @return how much each consumer group has read of it (of each product), as audit-sink last summed it
     */
    List<ProductConsumption> consumption(String address) {
        List<ProductConsumption> found = new ArrayList<>();
        try {
            ReadOnlyKeyValueStore<String, ValueAndTimestamp<ProductConsumption>> store = streams.store(StoreQueryParameters.fromNameAndType(
                    CatalogTopology.GLOBAL_CONSUMPTION, QueryableStoreTypes.timestampedKeyValueStore()));
            try (var entries = address == null ? store.all() : store.prefixScan(address + "|", Serdes.String().serializer())) {
                entries.forEachRemaining(entry -> found.add(entry.value.value()));
            }
        } catch (InvalidStateStoreException e) {
            throw new MeshException("the catalog is starting; try again in a moment", e);
        }
        return found;
    }

    /** @return audit-sink's last check of the audit chains, if it has written one */
    Optional<AuditChainStatus> auditChain() {
        try {
            return Optional.ofNullable(streams.store(StoreQueryParameters.fromNameAndType(CatalogTopology.GLOBAL_AUDIT_CHAIN,
                    QueryableStoreTypes.<String, AuditChainStatus>timestampedKeyValueStore())).get(MeshTopics.AUDIT)).map(ValueAndTimestamp::value);
        } catch (InvalidStateStoreException e) {
            throw new MeshException("the catalog is starting; try again in a moment", e);
        }
    }

    /** @return the latest status of every view that reported one */
    List<ViewStatus> viewStatuses() {
        List<ViewStatus> statuses = new ArrayList<>();
        try (var all = viewStatus().all()) {
            all.forEachRemaining(entry -> statuses.add(entry.value.value()));
        }
        return statuses;
    }

    private ReadOnlyKeyValueStore<String, ValueAndTimestamp<ViewStatus>> viewStatus() {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(CatalogTopology.GLOBAL_VIEW_STATUS,
                    QueryableStoreTypes.timestampedKeyValueStore()));
        } catch (InvalidStateStoreException e) {
            throw new MeshException("the catalog is starting; try again in a moment", e);
        }
    }

    /**
     * @param store a partitioned store
     * @return every entry of it, from every instance
     */
    List<ObjectNode> all(String store) {
        List<ObjectNode> entries = new ArrayList<>(local(store));
        for (var client : streams.metadataForAllStreamsClients()) {
            if (!client.hostInfo().equals(self) && client.stateStoreNames().contains(store)) {
                entries.addAll(remote(client.hostInfo(), "/api/internal/stores/" + store));
            }
        }
        return entries;
    }

    /**
     * @param store a partitioned store
     * @param key a key
     * @return the entry, from whichever instance owns the key
     */
    Optional<ObjectNode> get(String store, String key) {
        KeyQueryMetadata owner = streams.queryMetadataForKey(store, key, Serdes.String().serializer());
        if (owner == null || owner.activeHost() == null || owner.activeHost().equals(HostInfo.unavailable())) {
            throw new MeshException("the catalog is rebalancing; try again in a moment");
        }
        if (owner.activeHost().equals(self)) {
            return Optional.ofNullable(this.<GenericRecord>localStore(store).get(key)).map(AvroJson::of);
        }
        // the key is a caller's text (a request id from a form): one path segment, whatever it holds, never a dot segment
        String encoded = URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
        String segment = encoded.equals(".") || encoded.equals("..") ? encoded.replace(".", "%2E") : encoded;
        List<ObjectNode> found = remote(owner.activeHost(), "/api/internal/stores/" + store + "/" + segment);
        return found.stream().findFirst();
    }

    /** @return this instance's part of a partitioned store */
    List<ObjectNode> local(String store) {
        List<ObjectNode> entries = new ArrayList<>();
        try (var all = this.<GenericRecord>localStore(store).all()) {
            while (all.hasNext()) {
                KeyValue<String, GenericRecord> entry = all.next();
                entries.add(AvroJson.of(entry.value));
            }
        }
        return entries;
    }

    /** @return one key of this instance's part of a store */
    Optional<ObjectNode> localGet(String store, String key) {
        return Optional.ofNullable(this.<GenericRecord>localStore(store).get(key)).map(AvroJson::of);
    }

    private <V> ReadOnlyKeyValueStore<String, V> localStore(String store) {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<String, V>keyValueStore()));
        } catch (InvalidStateStoreException e) {
            throw new MeshException("the catalog is starting or rebalancing; try again in a moment", e);
        }
    }

    private List<ObjectNode> remote(HostInfo host, String path) {
        var request = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", platformAuthorization).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404) {
                return List.of();
            }
            if (response.statusCode() != 200) {
                throw new MeshException("catalog instance " + host.host() + ":" + host.port() + " answered HTTP " + response.statusCode());
            }
            List<ObjectNode> entries = new ArrayList<>();
            JSON.readTree(response.body()).forEach(node -> entries.add((ObjectNode) node));
            return entries;
        } catch (IOException e) {
            throw new MeshException("catalog instance " + host.host() + ":" + host.port() + " does not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted", e);
        }
    }
}
