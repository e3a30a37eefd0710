package io.streammesh.cli;

import io.streammesh.schema.MeshNames;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import java.util.Optional;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;

/**
 * The topic {@code mesh consume} reads and what it holds of a data product: the product
 * ({@code <address>}), its dead letters ({@code <address>.dlq}), its ingest topic
 * ({@code <address>.ingest}), one of its views ({@code mesh.view.<address>.<view>}) or a view's
 * dead letters; else a topic of the platform's. Who may read it is the broker's to say; this
 * only says who reads it by default and how a refused reader gets access.
 *
 * @param name the topic
 * @param kind what it holds
 * @param product the product it belongs to, or null
 * @param view the view it holds, or null
 */
record ConsumedTopic(String name, Kind kind, ProductAddress product, String view) {

    /** What a topic holds of a product. */
    enum Kind {
        /** The product's records. */
        PRODUCT,
        /** The records its producers or the contract gate refused. */
        DEAD_LETTERS,
        /** What its domain's clients write for the contract gate. */
        INGEST,
        /** One of its views. */
        VIEW,
        /** The records a view's filter or masks failed on. */
        VIEW_DEAD_LETTERS,
        /** None of a product's: the platform's own. */
        PLATFORM
    }

    /**
     * @param name a topic name
     * @return what it holds
     * @throws UsageError if it is no legal topic name
     */
    static ConsumedTopic of(String name) {
        try {
            Topic.validate(name);
        } catch (InvalidTopicException e) {
            throw new UsageError("not a topic: " + e.getMessage());
        }
        Optional<ProductAddress> ingest = ProductAddress.ofIngestTopic(name);
        if (ingest.isPresent()) {
            return new ConsumedTopic(name, Kind.INGEST, ingest.get(), null);
        }
        boolean deadLetters = name.endsWith(MeshTopics.DEAD_LETTER_SUFFIX);
        String records = deadLetters ? name.substring(0, name.length() - MeshTopics.DEAD_LETTER_SUFFIX.length()) : name;
        if (MeshTopics.PRODUCT_TOPICS.matcher(records).matches()) {
            return new ConsumedTopic(name, deadLetters ? Kind.DEAD_LETTERS : Kind.PRODUCT, ProductAddress.parse(records), null);
        }
        if (records.startsWith(MeshTopics.VIEW_PREFIX)) {
            String[] parts = records.substring(MeshTopics.VIEW_PREFIX.length()).split("\\.", 4);
            if (parts.length == 4 && MeshNames.isValid(parts[3]) && ProductAddress.isValid(parts[0] + "." + parts[1] + "." + parts[2])) {
                return new ConsumedTopic(name, deadLetters ? Kind.VIEW_DEAD_LETTERS : Kind.VIEW,
                        ProductAddress.parse(parts[0] + "." + parts[1] + "." + parts[2]), parts[3]);
            }
        }
        return new ConsumedTopic(name, Kind.PLATFORM, null, null);
    }

    /** @return who reads it when no principal is given: the owning domain, for the product's own topics */
    Optional<String> defaultReader() {
        return switch (kind) {
            case PRODUCT, DEAD_LETTERS, INGEST -> Optional.of(product.domain());
            default -> Optional.empty();
        };
    }

    /**
     * @param principal who was refused, {@code User:<name>}
     * @return the one line saying the broker refused it and how to get access
     */
    String refusal(String principal) {
        String refused = principal + " may not read " + name + ": ";
        return refused + switch (kind) {
            case PRODUCT, VIEW -> "ask its owner, " + MeshNames.kafkaPrincipal(product.domain()) + ", for a grant with mesh access request "
                    + product + " --view " + (view == null ? "<view>" : view) + " --group <group> --purpose <why>, then read it with --group <group>";
            case DEAD_LETTERS, INGEST -> "only its owner, " + MeshNames.kafkaPrincipal(product.domain()) + ", reads it (--as "
                    + product.domain() + ")";
            case VIEW_DEAD_LETTERS, PLATFORM -> "it is the platform's";
        };
    }

    /**
     * @param principal who was refused, {@code User:<name>}
     * @param group the consumer group it asked for
     * @return the one line saying the broker refused the group and which one to use
     */
    String groupRefusal(String principal, String group) {
        String me = MeshNames.withoutKafkaPrefix(principal);
        return principal + " may not read " + name + " with consumer group " + group + ": use the group of your grant (mesh access grants --as "
                + me + "; a grant gives only your own groups, " + me + " or " + me + ".<name>), or read without --group";
    }
}
