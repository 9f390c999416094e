package dev.shears.bench.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 bytes decoded onto a {@link Writer}: the training loop prints to a {@link PrintStream}, while
 * picocli gives a command {@link java.io.PrintWriter}s (which tests replace). A multi-byte character split
 * across writes is kept until its last byte arrives.
 *
 * <pre>{@code PrintStream ps = WriterOutputStream.printStream(spec.commandLine().getOut());}</pre>
 */
final class WriterOutputStream extends OutputStream {
    private final Writer writer;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final ByteBuffer bytes = ByteBuffer.allocate(4096);
    private final CharBuffer chars = CharBuffer.allocate(4096);

    WriterOutputStream(Writer writer) {
        this.writer = writer;
    }

    /** A UTF-8 print stream onto {@code writer}, flushed at every line (and by the progress bar's own flushes). */
    static PrintStream printStream(Writer writer) {
        return new PrintStream(new WriterOutputStream(writer), true, StandardCharsets.UTF_8);
    }

    @Override
    public void write(int b) throws IOException {
        if (!bytes.hasRemaining()) {
            decode();
        }
        bytes.put((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (!bytes.hasRemaining()) {
                decode();
            }
            int n = Math.min(len, bytes.remaining());
            bytes.put(b, off, n);
            off += n;
            len -= n;
        }
    }

    @Override
    public void flush() throws IOException {
        decode();
        writer.flush();
    }

    /** Moves every complete character from the byte buffer to the writer; an incomplete one stays. */
    private void decode() throws IOException {
        bytes.flip();
        CoderResult r;
        do {
            r = decoder.decode(bytes, chars, false);
            writer.write(chars.array(), 0, chars.position());
            chars.clear();
        } while (r.isOverflow());
        bytes.compact();
    }
}
