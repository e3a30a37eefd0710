package io.streammesh.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import io.streammesh.schema.MeshException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ProductKeyTest {

    private static final String ORDERS = "shop.order-placed.v1";
    private static final String RETURNS = "shop.order-returned.v1";
    private static final byte[] EMAIL = "someone@example.com".getBytes(StandardCharsets.UTF_8);

    @BeforeAll
    static void tink() throws GeneralSecurityException {
        AeadConfig.register();
    }

    @Test
    void theKeyServedForAProductOpensWhatTheGateEncryptedForIt() throws Exception {
        KeysetHandle dataKey = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
        byte[] bound = FieldCipher.associatedData(ORDERS, "customerEmail", "c-1");
        byte[] byGate = ProductKey.of(SubjectKey.of(dataKey, Set.of()).key().orElseThrow(), ORDERS).encrypt(EMAIL, bound);

        KeysetHandle served = ProductKey.of(dataKey, ORDERS);

        assertThat(served.getPrimary().getId()).as("the data key's id: erasures name it").isEqualTo(dataKey.getPrimary().getId());
        assertThat(SubjectKey.of(served, Set.of()).decrypt(byGate, bound)).hasValue(EMAIL);
        assertThat(SubjectKey.of(dataKey, Set.of()).forProduct(ORDERS).decrypt(byGate, bound)).as("the enforcer's").hasValue(EMAIL);
    }

    @Test
    void aProductsKeyOpensNoOtherProductOfTheDomainNorIsTheDataKeyItself() throws Exception {
        KeysetHandle dataKey = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
        Aead platform = SubjectKey.of(dataKey, Set.of()).key().orElseThrow();
        byte[] boundToReturns = FieldCipher.associatedData(RETURNS, "customerEmail", "c-1");
        byte[] returns = ProductKey.of(platform, RETURNS).encrypt(EMAIL, boundToReturns);

        SubjectKey grantedOnOrders = SubjectKey.of(ProductKey.of(dataKey, ORDERS), Set.of());

        assertThatThrownBy(() -> grantedOnOrders.decrypt(returns, boundToReturns)).as("the attack: its grant is on " + ORDERS)
                .isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> platform.decrypt(returns, boundToReturns)).isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> SubjectKey.of(ProductKey.of(dataKey, ORDERS), Set.of()).forProduct(RETURNS).decrypt(returns, boundToReturns))
                .as("a product key bound again is no other product's").isInstanceOf(GeneralSecurityException.class);
        assertThat(ProductKey.of(platform, RETURNS)).as("derived once, kept").isSameAs(ProductKey.of(platform, RETURNS));
    }

    @Test
    void aKeyTheMeshDoesNotMakeIsNotBound() throws Exception {
        KeysetHandle twoKeys = KeysetHandle.newBuilder()
                .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM).withRandomId().makePrimary())
                .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM).withRandomId())
                .build();

        assertThatThrownBy(() -> ProductKey.of(twoKeys, ORDERS)).isInstanceOf(GeneralSecurityException.class)
                .hasMessage("a data key that is not one AES-GCM key cannot be bound to product " + ORDERS);
        assertThatThrownBy(() -> SubjectKey.of(twoKeys, Set.of()).forProduct(ORDERS)).isInstanceOf(MeshException.class);
    }
}
