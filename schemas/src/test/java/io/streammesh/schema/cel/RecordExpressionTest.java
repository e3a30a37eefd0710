package io.streammesh.schema.cel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.demo.orders.OrderPlaced;
import io.streammesh.schema.cel.RecordExpression.ExpressionFailure;
import io.streammesh.schema.cel.RecordExpression.InvalidExpressionException;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class RecordExpressionTest {

    private static final OrderPlaced ORDER = OrderPlaced.newBuilder().setOrderId("o-1").setCustomerId("c-1")
            .setCustomerEmail("a@example.com").setShippingAddress("1 Main St").setCountry("FR").setAmount(12.5)
            .setCurrency("EUR").setItems(3).setPlacedAt(java.time.Instant.ofEpochMilli(1_700_000_000_000L)).build();

    @Test
    void aRuleOverTheRecordsFieldsIsTrueOrFalsePerRecord() {
        var positive = RecordExpression.compile("record.amount > 0", OrderPlaced.getClassSchema());
        var notGerman = RecordExpression.compile("record.country != 'DE' && record.items >= 2", OrderPlaced.getClassSchema());

        assertThat(positive.test(ORDER)).isTrue();
        assertThat(notGerman.test(ORDER)).isTrue();
        assertThat(notGerman.test(OrderPlaced.newBuilder(ORDER).setCountry("DE").build())).isFalse();
        assertThat(positive.test(OrderPlaced.newBuilder(ORDER).setAmount(-1).build())).isFalse();
    }

    /** A warm-up that threw would print a stack trace from its background thread in every {@code mesh produce}. */
    @Test
    void preparingCompilesItsTypicalRulesAndCanBeRepeated() {
        assertThatCode(RecordExpression::prepare).doesNotThrowAnyException();
        assertThatCode(RecordExpression::prepare).doesNotThrowAnyException();
    }

    @Test
    void stringFunctionsMacrosAndTimestampsWork() {
        assertThat(RecordExpression.compile("record.customerEmail.contains('@') && record.placedAt > 0",
                OrderPlaced.getClassSchema()).test(ORDER)).isTrue();
        assertThat(RecordExpression.compile("record.currency in ['EUR', 'USD']", OrderPlaced.getClassSchema()).test(ORDER)).isTrue();
    }

    @Test
    void anUnknownFieldIsACompileErrorNamingThePosition() {
        assertThatThrownBy(() -> RecordExpression.compile("record.amout > 0", OrderPlaced.getClassSchema()))
                .isInstanceOf(InvalidExpressionException.class)
                .hasMessage("line 1, column 7: undefined field 'amout'");
    }

    @Test
    void aSyntaxOrTypeErrorIsACompileError() {
        assertThatThrownBy(() -> RecordExpression.compile("record.amount >", OrderPlaced.getClassSchema()))
                .hasMessageStartingWith("line 1, column 16: mismatched input '<EOF>'");
        assertThatThrownBy(() -> RecordExpression.compile("record.country", OrderPlaced.getClassSchema()))
                .hasMessage("line 1, column 7: expected type 'bool' but found 'string'");
        assertThatThrownBy(() -> RecordExpression.compile(" ", OrderPlaced.getClassSchema()))
                .hasMessage("expression is empty");
    }

    @Test
    void nullableFieldsCompareWithNullAndFailClearlyWhenUsedAsValues() {
        Schema schema = SchemaBuilder.record("Profile").fields()
                .requiredString("id").optionalString("phone").endRecord();
        GenericRecord noPhone = new GenericData.Record(schema);
        noPhone.put("id", "c-1");

        assertThat(RecordExpression.compile("record.phone == null", schema).test(noPhone)).isTrue();
        var startsWith = RecordExpression.compile("record.phone.startsWith('+33')", schema);
        assertThatThrownBy(() -> startsWith.test(noPhone))
                .isInstanceOf(ExpressionFailure.class)
                .hasMessageStartingWith("'record.phone.startsWith('+33')' cannot be evaluated: ");
    }

    @Test
    void itNamesTheFieldsItReadsOrNoneWhenItUsesTheWholeRecord() {
        Schema schema = OrderPlaced.getClassSchema();
        assertThat(RecordExpression.compile("record.country != 'DE' && has(record.items) && record.amount * 2.0 > 1.0", schema).fields())
                .contains(Set.of("country", "items", "amount"));
        assertThat(RecordExpression.compile("[1, 2].exists(x, x < record.items)", schema).fields()).contains(Set.of("items"));
        assertThat(RecordExpression.compile("true", schema).fields()).contains(Set.of());
        assertThat(RecordExpression.compile("[record].size() == 1", schema).fields()).isEmpty();
        assertThat(RecordExpression.compile("[1].exists(record, record > 0)", schema).fields()).isEmpty();
    }
}
