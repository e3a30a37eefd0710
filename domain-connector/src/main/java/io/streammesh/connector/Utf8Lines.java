package io.streammesh.connector;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A file's lines as bytes, each checked to be UTF-8 text on its own, so that one bad line is
 * reported with its number instead of stopping the reading of the whole file.
 */
final class Utf8Lines {

    /**
     * A line that is not UTF-8 text.
     *
     * @param number its number in the file, from 1
     * @param bytes the line as it is, without its line break
     * @param reason where the first bad byte is, one line
     */
    record Invalid(long number, byte[] bytes, String reason) {
    }

    private Utf8Lines() {
    }

    /**
     * @param in a stream of lines separated by {@code \n} (a {@code \r} before it is dropped)
     * @return the next line's bytes without its line break, or null at the end
     */
    static byte[] next(InputStream in) throws IOException {
        var line = new ByteArrayOutputStream(256);
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            line.write(b);
        }
        if (b == -1 && line.size() == 0) {
            return null;
        }
        byte[] bytes = line.toByteArray();
        return bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? Arrays.copyOf(bytes, bytes.length - 1) : bytes;
    }

    /**
     * @param line a line's bytes
     * @return why it is not UTF-8 text, or null if it is
     */
    static String problem(byte[] line) {
        if (ascii(line)) {
            // most lines: no decoder, nor a buffer of the line's length, needed to say so
            return null;
        }
        var in = ByteBuffer.wrap(line);
        CoderResult result = StandardCharsets.UTF_8.newDecoder().decode(in, CharBuffer.allocate(line.length), true);
        if (!result.isError()) {
            return null;
        }
        return "not UTF-8 text: byte %d (0x%02X) starts no UTF-8 character".formatted(in.position() + 1, line[in.position()] & 0xff);
    }

    private static boolean ascii(byte[] line) {
        for (byte b : line) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param file a file
     * @return its lines that are not UTF-8 text, in order
     */
    static List<Invalid> invalid(Path file) throws IOException {
        List<Invalid> invalid = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            long number = 0;
            byte[] line;
            while ((line = next(in)) != null) {
                number++;
                String problem = problem(line);
                if (problem != null) {
                    invalid.add(new Invalid(number, line, problem));
                }
            }
        }
        return invalid;
    }

    /**
     * @param file a file
     * @param invalid some of its lines
     * @return a temporary copy of it without them, for a parser that cannot skip them itself
     */
    static Path copyWithout(Path file, List<Invalid> invalid) throws IOException {
        Path copy = Files.createTempFile("mesh-ingest-", ".csv");
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file));
             OutputStream out = new BufferedOutputStream(Files.newOutputStream(copy))) {
            long number = 0;
            int skip = 0;
            byte[] line;
            while ((line = next(in)) != null) {
                number++;
                if (skip < invalid.size() && invalid.get(skip).number() == number) {
                    skip++;
                    continue;
                }
                out.write(line);
                out.write('\n');
            }
        }
        return copy;
    }

    /**
     * @param row a CSV row's number, from 1 after the header, in the copy without the invalid lines
     * @param invalid the lines left out of the copy
     * @return the row's line number in the file (one line per row)
     */
    static long lineInFile(long row, List<Invalid> invalid) {
        long line = row + 1;
        for (Invalid left : invalid) {
            if (left.number() <= line) {
                line++;
            } else {
                break;
            }
        }
        return line;
    }
}
