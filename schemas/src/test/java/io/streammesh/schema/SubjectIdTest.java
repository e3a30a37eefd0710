package io.streammesh.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

class SubjectIdTest {

    @Test
    void aTextFieldIsItsTextAndABytesFieldItsBytesInHex() {
        assertThat(SubjectId.of(new Utf8("c-1"))).isEqualTo("c-1");
        assertThat(SubjectId.of(ByteBuffer.wrap(new byte[] {0x0a, (byte) 0xff}))).isEqualTo("0aff");
        assertThat(SubjectId.of(null)).isEmpty();
    }

    @Test
    void anOrdinaryIdIsFine() {
        assertThat(SubjectId.problem("field customerId", "c-1")).isEmpty();
        assertThat(SubjectId.problem("field customerId", "x".repeat(256))).isEmpty();
    }

    @Test
    void anEmptyLongControlOrReservedIdIsRefusedNamingTheFieldButNotTheId() {
        assertThat(SubjectId.problem("field customerId", "")).contains("field customerId is empty; a data subject id is required");
        assertThat(SubjectId.problem("field customerId", "x".repeat(257)))
                .contains("field customerId is 257 characters long; a data subject id may be at most 256");
        assertThat(SubjectId.problem("field customerId", "mesh.dead-letters|shop.order-placed.v1"))
                .contains("field customerId starts with 'mesh.', which is reserved for the platform's own keys");
        assertThat(SubjectId.problem("field customerId", "ann\u001b[2J")).contains("field customerId contains control character U+001B "
                + "(newlines, escape sequences and other control characters are not allowed)");
    }
}
