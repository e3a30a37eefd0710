package io.streammesh.cli;

import io.streammesh.schema.ProductAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads every {@link ProductAddress} parameter and option (registered once, on the root command):
 * a wrong one is a usage error naming the parameter and the address rule.
 */
final class ProductAddressConverter implements ITypeConverter<ProductAddress> {

    @Override
    public ProductAddress convert(String text) {
        try {
            return ProductAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
