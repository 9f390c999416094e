package dev.shears.datasets.tools;

import dev.shears.datasets.Compression;
import dev.shears.datasets.FashionMnist;
import dev.shears.datasets.Idx;
import dev.shears.datasets.IdxArray;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Makes the embedded Fashion-MNIST sample from the real files: the first {@value #TRAIN_PER_CLASS}
 * training and first {@value #TEST_PER_CLASS} test images of each class, in file order, written as
 * deterministic gzip'd IDX with the data set's MIT license, a README and SHA-256 sums.
 *
 * <pre>{@code mvn -q -pl datasets compile exec:java -Dexec.mainClass=dev.shears.datasets.tools.MakeSample \
 *     -Dexec.args="datasets/src/main/resources/dev/shears/datasets/fashion-mnist-sample /usr/share/datasets/fashion-mnist"}</pre>
 */
public final class MakeSample {
    /** Training images kept per class. */
    public static final int TRAIN_PER_CLASS = 200;
    /** Test images kept per class. */
    public static final int TEST_PER_CLASS = 100;
    /** Where the sample lives in the source tree, relative to the repository root. */
    public static final String RESOURCE_DIR = "datasets/src/main/resources/dev/shears/datasets/fashion-mnist-sample";

    private MakeSample() {
    }

    /** Arguments: {@code [outDir [sourceDir]]}, defaulting to {@link #RESOURCE_DIR} and the Debian directory. */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : RESOURCE_DIR);
        Path source = args.length > 1 ? Path.of(args[1]) : FashionMnist.SYSTEM_DIR;
        make(source, out);
        System.out.println("wrote the Fashion-MNIST sample from " + source + " to " + out);
    }

    /**
     * Checks the four canonical gzip'd files in {@code sourceDir} against their known SHA-256 and writes
     * the sample into {@code outDir}.
     */
    public static void make(Path sourceDir, Path outDir) throws IOException {
        for (String name : FashionMnist.FILES) {
            String actual = sha256(sourceDir.resolve(name));
            if (!actual.equals(FashionMnist.SHA256.get(name))) {
                throw new IOException(sourceDir.resolve(name) + ": SHA-256 is " + actual + ", expected the canonical "
                        + FashionMnist.SHA256.get(name));
            }
        }
        Files.createDirectories(outDir);
        subset(sourceDir, outDir, FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS, TRAIN_PER_CLASS);
        subset(sourceDir, outDir, FashionMnist.TEST_IMAGES, FashionMnist.TEST_LABELS, TEST_PER_CLASS);
        StringBuilder sums = new StringBuilder();
        for (String name : FashionMnist.FILES) {
            sums.append(sha256(outDir.resolve(name))).append("  ").append(name).append('\n');
        }
        Files.writeString(outDir.resolve("SHA256SUMS"), sums);
        Files.writeString(outDir.resolve("LICENSE"), LICENSE);
        Files.writeString(outDir.resolve("README.md"), README);
    }

    /**
     * Indices of the first {@code perClass} examples of each class, in their original order.
     *
     * @throws IllegalArgumentException if some class has fewer than {@code perClass} examples
     */
    public static int[] firstPerClass(byte[] labels, int perClass, int numClasses) {
        int[] taken = new int[numClasses];
        int[] pick = new int[perClass * numClasses];
        int n = 0;
        for (int i = 0; i < labels.length && n < pick.length; i++) {
            int c = labels[i] & 0xFF;
            if (c < numClasses && taken[c] < perClass) {
                taken[c]++;
                pick[n++] = i;
            }
        }
        if (n < pick.length) {
            throw new IllegalArgumentException("only " + n + " of " + pick.length + " examples found; some class has fewer than " + perClass);
        }
        return pick;
    }

    private static void subset(Path src, Path out, String imagesName, String labelsName, int perClass) throws IOException {
        IdxArray images = Idx.read(src.resolve(imagesName));
        IdxArray labels = Idx.read(src.resolve(labelsName));
        int[] pick = firstPerClass(labels.bytes(), perClass, FashionMnist.NUM_CLASSES);
        int size = images.length() / images.dim(0);
        byte[] x = new byte[pick.length * size];
        byte[] y = new byte[pick.length];
        for (int i = 0; i < pick.length; i++) {
            System.arraycopy(images.bytes(), pick[i] * size, x, i * size, size);
            y[i] = labels.bytes()[pick[i]];
        }
        Idx.write(out.resolve(imagesName), IdxArray.ofUnsignedBytes(x, pick.length, images.dim(1), images.dim(2)), Compression.GZIP);
        Idx.write(out.resolve(labelsName), IdxArray.ofUnsignedBytes(y, pick.length), Compression.GZIP);
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static final String LICENSE = """
            Fashion-MNIST sample: a subset of Fashion-MNIST (https://github.com/zalandoresearch/fashion-mnist),
            redistributed under its license:

            The MIT License (MIT)

            Copyright (c) 2017 Zalando SE, https://tech.zalando.com

            Permission is hereby granted, free of charge, to any person obtaining a copy
            of this software and associated documentation files (the "Software"), to deal
            in the Software without restriction, including without limitation the rights
            to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
            copies of the Software, and to permit persons to whom the Software is
            furnished to do so, subject to the following conditions:

            The above copyright notice and this permission notice shall be included in all
            copies or substantial portions of the Software.

            THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
            IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
            FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
            AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
            LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
            OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
            SOFTWARE.
            """;

    private static final String README = """
            # Embedded Fashion-MNIST sample

            A class-balanced subset of Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017), MIT license (see
            LICENSE), returned by `FashionMnist.sample()` and used when the full set is not available.

            - `train-*`: the first 200 images of each class of `train-images-idx3-ubyte.gz`, in file
              order (2,000 images); `t10k-*`: the first 100 of each class of the test file (1,000 images).
            - Images and labels are byte-for-byte the originals, as gzip'd IDX (no timestamp in the gzip header).
            - Made by `dev.shears.datasets.tools.MakeSample` from the four canonical files, whose SHA-256
              it checks first. To regenerate, from the repository root, with the Debian package
              `dataset-fashion-mnist` installed:

                  mvn -q -N install && mvn -q -pl core install -DskipTests
                  mvn -q -pl datasets compile exec:java -Dexec.mainClass=dev.shears.datasets.tools.MakeSample

              (arguments, optional: `-Dexec.args="OUT_DIR SOURCE_DIR"`).

            - `SHA256SUMS` lists the gzip files as written with this JDK's zlib; another zlib may compress
              differently, so the test `SampleTest` compares the decompressed images with the real files.
            """;
}
