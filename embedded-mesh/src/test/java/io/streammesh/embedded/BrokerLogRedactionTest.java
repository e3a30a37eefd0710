package io.streammesh.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;

class BrokerLogRedactionTest {

    /** As the controller logs a forwarded request it could not handle (Kafka 4.3, ControllerApis). */
    private static final String FAILED_REQUEST = "[ControllerApis nodeId=1] Unexpected error handling request RequestHeader("
            + "apiKey=ALTER_USER_SCRAM_CREDENTIALS, apiVersion=0, clientId=mesh-platform, correlationId=6, headerVersion=2) -- "
            + "AlterUserScramCredentialsRequestData(deletions=[], upsertions=[ScramCredentialUpsertion(name='mesh-admin', mechanism=2, "
            + "iterations=8192, salt=[97, 105, 117, 103], saltedPassword=[-63, 83, 60, -109, -67, 88])])";

    private final LoggerContext context = new LoggerContext();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    private LoggerContext context() {
        var filter = new BrokerLogRedaction();
        filter.setContext(context);
        filter.start();
        context.addTurboFilter(filter);
        logged.setContext(context);
        logged.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(logged);
        return context;
    }

    @Test
    void aFailedRequestsScramCredentialIsLoggedRedactedAtItsLevelByItsLogger() {
        var error = new IllegalStateException("The active controller appears to be node 1.");
        context().getLogger("kafka.server.ControllerApis").error(FAILED_REQUEST, error);

        assertThat(logged.list).singleElement().satisfies(event -> {
            assertThat(event.getLoggerName()).isEqualTo("kafka.server.ControllerApis");
            assertThat(event.getFormattedMessage()).startsWith("[ControllerApis nodeId=1] Unexpected error")
                    .contains("name='mesh-admin'", "iterations=8192", "salt=[redacted]", "saltedPassword=[redacted]")
                    .doesNotContain("97, 105", "-63, 83");
            assertThat(event.getLevel()).hasToString("ERROR");
            assertThat(event.getThrowableProxy().getMessage()).isEqualTo(error.getMessage());
        });
    }

    @Test
    void aRequestPassedAsAParameterOrWrittenAsJsonIsRedactedToo() {
        LoggerContext context = context();
        context.getLogger("org.apache.kafka.server.NodeToControllerRequestThread").warn("Request {} received {}",
                "AlterUserScramCredentialsRequestData(upsertions=[ScramCredentialUpsertion(name='orders', salt=[1, 2], saltedPassword=[3, 4])])",
                "a response");
        context.getLogger("kafka.request.logger").warn("Completed request:{\"upsertions\":[{\"name\":\"orders\",\"salt\":\"AQI=\","
                + "\"saltedPassword\": \"AwQ=\"}]}");

        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "Request AlterUserScramCredentialsRequestData(upsertions=[ScramCredentialUpsertion(name='orders', salt=[redacted], "
                        + "saltedPassword=[redacted])]) received a response",
                "Completed request:{\"upsertions\":[{\"name\":\"orders\",\"salt\":\"redacted\",\"saltedPassword\":\"redacted\"}]}");
    }

    @Test
    void everyOtherLinePassesUntouched() {
        LoggerContext context = context();
        context.getLogger("kafka.server.KafkaApis").warn("[KafkaApis nodeId=1] salt and pepper");
        context.getLogger("io.streammesh.catalog.CatalogApp").error("saltedPassword=[1] is what a contract may call a field");

        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("[KafkaApis nodeId=1] salt and pepper", "saltedPassword=[1] is what a contract may call a field");
    }
}
