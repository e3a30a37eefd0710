package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mesh up --demo --instances 2} in a process of its own: each platform app runs twice in one
 * group, sharing its partitions, and either catalog instance answers for every key (a query for a
 * key the other instance holds is routed to it).
 */
@Tag("integration")
@Timeout(400)
class MeshInstancesIT {

    private static final Duration READY = Duration.ofSeconds(180);

    @TempDir
    Path work;

    @Test
    void twoInstancesOfEachAppShareTheWorkAndEitherCatalogAnswersForEveryKey() throws Exception {
        Path state = work.resolve("state");
        try (var up = MeshProcess.start(work, "up", "--demo", "--instances", "2", "--state-dir", state.toString(), "--port", "0",
                "--registry-port", "0", "--catalog-port", "0")) {
            up.awaitReady(READY);
            up.awaitOutput("2 instances of each app; the catalog's REST API also at ", Duration.ofSeconds(10));
            String first = up.output().lines().filter(line -> line.startsWith("  Catalog API"))
                    .map(line -> line.replaceAll(".*(http://[^/\\s]+).*", "$1")).findFirst().orElseThrow();
            String second = up.output().lines().filter(line -> line.startsWith("2 instances of each app"))
                    .map(line -> line.substring(line.lastIndexOf(' ') + 1)).findFirst().orElseThrow();
            assertThat(second).as(up.output()).startsWith("http://").isNotEqualTo(first);

            try (var admin = Admin.create(MeshClientConfig.load(state.resolve("clients/mesh-admin.properties")).kafka())) {
                List<String> groups = Arrays.stream(PlatformApp.values()).map(PlatformApp::applicationId).toList();
                // Read together, and awaited: a member joining a cooperative rebalance has no partitions until its second round.
                Map<String, Integer> members = new TreeMap<>();
                Map<String, Integer> partitionsEach = new TreeMap<>();
                await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
                    members.clear();
                    partitionsEach.clear();
                    for (ConsumerGroupDescription group : admin.describeConsumerGroups(groups).all().get().values()) {
                        members.put(group.groupId(), group.members().size());
                        partitionsEach.put(group.groupId(), group.members().stream()
                                .mapToInt(m -> m.assignment().topicPartitions().size()).min().orElse(0));
                    }
                    assertThat(members).as("members per group").allSatisfy((group, size) -> assertThat(size).as(group).isEqualTo(2));
                    assertThat(partitionsEach).as("each instance of each app has partitions of its own: %s", partitionsEach)
                            .allSatisfy((group, fewest) -> assertThat(fewest).as(group).isPositive());
                });
                System.out.printf("mesh up --instances 2: members per group %s, fewest partitions of one member %s%n", members, partitionsEach);
            }

            MeshClientConfig orders = MeshClientConfig.load(state.resolve("clients/orders.properties"));
            List<String> answers = new ArrayList<>();
            for (String url : List.of(first, second)) {
                var catalog = new CatalogClient(url, orders);
                assertThat(await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> catalog.get("/api/products").path("count").asInt(), count -> count == 2)).isEqualTo(2);
                // the demo files its requests at start: an approved one and a pending one, at least
                JsonNode requests = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> catalog.get("/api/access/requests"), all -> all.path("count").asInt() >= 2);
                var ids = new TreeSet<String>();
                requests.path("requests").forEach(r -> ids.add(r.at("/request/requestId").asText()));
                for (String id : ids) {
                    assertThat(catalog.get("/api/access/requests/" + id).at("/request/requestId").asText()).as("%s at %s", id, url)
                            .isEqualTo(id);
                }
                answers.add(String.join(",", ids));
            }
            assertThat(answers.get(1)).as("both instances list the same requests").isEqualTo(answers.get(0));
        }
    }
}
